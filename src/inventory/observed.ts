import { metricKey } from '../mackerel/naming';
import type { MetricKeyMode, Target } from '../types';
import type { InventoryContainer, ObservedTask } from './model';

/**
 * Groups one host's targets into the tasks the inventory records (one entry per task, one container entry
 * per scraped endpoint). Under `task` and `port` the key comes from naming.ts (under `port`, the first
 * endpoint's host port: each endpoint's own port is in `containers`); under `slot` it is left for the merge,
 * which knows the free slots.
 */
export function observedTasksFromTargets(targets: readonly Target[], mode: MetricKeyMode): ObservedTask[] {
  const byTask = new Map<string, Target[]>();
  for (const t of targets) byTask.set(t.taskArn, [...(byTask.get(t.taskArn) ?? []), t]);
  const tasks: ObservedTask[] = [];
  for (const [taskArn, group] of byTask) {
    const sorted = [...group].sort((a, b) => a.containerName.localeCompare(b.containerName) || a.containerPort - b.containerPort);
    const first = sorted[0];
    if (first === undefined) continue;
    tasks.push({
      taskArn,
      taskId: first.taskId,
      cluster: first.cluster,
      ...(first.service ? { service: first.service } : {}),
      family: first.family,
      revision: first.revision,
      containers: sorted.map(containerOf),
      ...(mode === 'slot' ? {} : { metricKey: metricKey(first, mode) }),
    });
  }
  return tasks;
}

/** awsvpc tasks are scraped on the container port of their own ENI: there is no host port to show. */
function containerOf(t: Target): InventoryContainer {
  return {
    name: t.containerName,
    containerPort: t.containerPort,
    ...(t.networkMode === 'awsvpc' ? {} : { hostPort: t.port }),
    format: t.format,
    prefix: t.prefix,
  };
}
