import type { ServiceMetricValue } from '../mackerel/serviceClient';
import type { Sample } from '../types';
import { aggregateGraphName, runningTasksName, serviceGroup, serviceMetricBase } from './names';

/**
 * Service-level metrics of one cycle, as a pure function: per ECS service (or standalone task family) the
 * number of RUNNING tasks, and per metric of its tasks the sum and average across the tasks that reported it.
 * Nothing here needs an EC2 host, so Fargate tasks (posted only here) go through the same path.
 */

/** Names per group (service) per cycle, `tasks.running` included. Mackerel bills service metrics per name. */
export const DEFAULT_MAX_NAMES_PER_SERVICE = 500;

/** What one scraped target produced this cycle (one container endpoint of one task). */
export interface TargetMetrics {
  /** Cluster name or ARN. */
  readonly cluster: string;
  /** ECS service; absent for a standalone task. */
  readonly service?: string;
  readonly family: string;
  readonly taskId: string;
  readonly prefix: string;
  readonly values: readonly Pick<Sample, 'graph' | 'metric' | 'value' | 'time'>[];
}

/** A task discovery found RUNNING, whether or not it exposes metrics. */
export interface RunningTask {
  readonly cluster: string;
  readonly service?: string;
  readonly family: string;
  readonly taskId: string;
}

/** Options of {@link aggregateServiceMetrics}. */
export interface AggregateOptions {
  /** Epoch seconds: the time of `tasks.running`. */
  readonly nowS: number;
  /** Default {@link DEFAULT_MAX_NAMES_PER_SERVICE}; the sum and avg of a metric are kept or dropped together. */
  readonly maxNamesPerService?: number;
  /** Services that exist but may run no task now: reported with `tasks.running` 0 instead of falling silent. */
  readonly services?: readonly { readonly cluster: string; readonly service: string }[];
}

/** What one cycle gives Mackerel, and what it had to leave out. */
export interface ServiceAggregate {
  /** Sorted by name. */
  readonly values: ServiceMetricValue[];
  /** Names left out per group because of the per-service bound (sorted by name, the first ones are kept). */
  readonly overflow: readonly { readonly group: string; readonly dropped: number }[];
  /** Values whose name could not be made valid (an empty node) or whose total is not finite. */
  readonly invalid: number;
}

interface GroupState {
  readonly base: string;
  readonly running: Set<string>;
  /** graph name → task id → that task's value (the sum over its targets) and latest time. */
  readonly metrics: Map<string, Map<string, { value: number; time: number }>>;
}

/** Aggregates one cycle's target results per (cluster, service). Deterministic: same input, same output. */
export function aggregateServiceMetrics(
  targets: readonly TargetMetrics[],
  running: readonly RunningTask[],
  options: AggregateOptions,
): ServiceAggregate {
  const groups = new Map<string, GroupState>();
  let invalid = 0;
  const groupOf = (cluster: string, group: string): GroupState | undefined => {
    const base = serviceMetricBase(cluster, group);
    if (base === undefined) return undefined;
    let state = groups.get(base);
    if (state === undefined) groups.set(base, (state = { base, running: new Set(), metrics: new Map() }));
    return state;
  };

  for (const s of options.services ?? []) groupOf(s.cluster, s.service);
  for (const task of running) groupOf(task.cluster, serviceGroup(task))?.running.add(task.taskId);
  for (const target of targets) {
    const state = groupOf(target.cluster, serviceGroup(target));
    for (const v of target.values) {
      const name = state && aggregateGraphName(state.base, target.prefix, v.graph, v.metric);
      if (state === undefined || name === undefined || !Number.isFinite(v.value)) {
        invalid++;
        continue;
      }
      let perTask = state.metrics.get(name);
      if (perTask === undefined) state.metrics.set(name, (perTask = new Map()));
      // Two containers of one task with the same prefix give one name; the task's value is their sum.
      const seen = perTask.get(target.taskId);
      perTask.set(target.taskId, seen ? { value: seen.value + v.value, time: Math.max(seen.time, v.time) } : { value: v.value, time: v.time });
    }
  }

  const maxNames = Math.max(1, options.maxNamesPerService ?? DEFAULT_MAX_NAMES_PER_SERVICE);
  const values: ServiceMetricValue[] = [];
  const overflow: { group: string; dropped: number }[] = [];
  for (const state of [...groups.values()].sort((a, b) => compare(a.base, b.base))) {
    values.push({ name: runningTasksName(state.base), time: options.nowS, value: state.running.size });
    let room = maxNames - 1;
    let dropped = 0;
    for (const name of [...state.metrics.keys()].sort(compare)) {
      const perTask = [...(state.metrics.get(name)?.values() ?? [])];
      const sum = perTask.reduce((acc, t) => acc + t.value, 0);
      if (perTask.length === 0 || !Number.isFinite(sum)) {
        invalid++;
        continue;
      }
      if (room < 2) {
        dropped += 2;
        continue;
      }
      room -= 2;
      const time = perTask.reduce((acc, t) => Math.max(acc, t.time), 0);
      values.push({ name: `${name}.avg`, time, value: sum / perTask.length }, { name: `${name}.sum`, time, value: sum });
    }
    if (dropped > 0) overflow.push({ group: state.base, dropped });
  }
  return { values: values.sort((a, b) => compare(a.name, b.name)), overflow, invalid };
}

/** Code-unit order, independent of the locale, so the kept subset is the same on every run. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
