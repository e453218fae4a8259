import { errorKind } from '../issues/kind';
import { CriticalError } from '../errors';
import type { Logger } from '../log';
import type { ServiceMetricsClient, ServiceMetricValue } from '../mackerel/serviceClient';
import { aggregateServiceMetrics, type RunningTask, type TargetMetrics } from '../service/aggregate';
import type { Issue } from '../types';
import type { TargetOutcome } from './targetWork';

/** What the service-metrics step produced. */
export interface ServiceMetricsOutcome {
  readonly values: readonly ServiceMetricValue[];
  readonly posted: number;
  readonly failed: readonly Issue[];
}

/**
 * Per ECS service of this cycle: `ecs.<cluster>.<service>.tasks.running` and, per numeric metric of its tasks,
 * the sum and the average across tasks, posted to the Mackerel service MACKEREL_SERVICE. Fargate tasks, which
 * have no EC2 host, appear only here. Posting nothing is not a failure; a rejected post is reported, a 401/403
 * stops the cycle.
 */
export async function serviceMetricsStep(
  outcomes: readonly TargetOutcome[],
  running: readonly RunningTask[],
  opts: { mackerelService: string; nowS: number; dryRun: boolean },
  deps: { client?: ServiceMetricsClient; logger: Logger },
  signal?: AbortSignal,
): Promise<ServiceMetricsOutcome> {
  const targets: TargetMetrics[] = [];
  for (const o of outcomes) {
    if (o.kind !== 'ok') continue;
    const t = o.target;
    targets.push({ cluster: t.cluster, ...(t.service ? { service: t.service } : {}), family: t.family, taskId: t.taskId, prefix: t.prefix, values: o.samples });
  }
  const aggregate = aggregateServiceMetrics(targets, running, { nowS: opts.nowS });
  for (const o of aggregate.overflow) deps.logger.warn('service metrics over bound', { group: o.group, dropped: o.dropped });
  if (opts.dryRun || !deps.client || aggregate.values.length === 0) return { values: aggregate.values, posted: 0, failed: [] };
  const r = await deps.client.postServiceMetrics(opts.mackerelService, aggregate.values, signal);
  if (r.ok) return { values: aggregate.values, posted: aggregate.values.length, failed: [] };
  if (r.error instanceof CriticalError) throw r.error;
  deps.logger.warn('service metrics failed', { service: opts.mackerelService, reason: r.error.message, errorName: r.error.name });
  return { values: aggregate.values, posted: 0, failed: [{ target: `service ${opts.mackerelService}`, reason: r.error.message, stage: 'service', kind: errorKind(r.error) }] };
}
