import type { MonitorPort } from '../mackerel/monitorClient';
import { desiredMonitors } from '../monitors/build';
import { syncMonitors, type MonitorOutcome } from '../monitors/sync';
import type { Issue } from '../types';

/** With MONITORS=on the scheduled function re-checks the monitors this often (idempotent, like dashboards). */
export const MONITORS_INTERVAL_MS = 3600 * 1000;

/**
 * Creates or updates the collector's own service-metric monitors (stopped reporting, failed ratio) in
 * `mackerelService`, one pair per cluster. Failures are outcomes, listed as `monitor` issues.
 */
export async function syncCollectorMonitors(
  mackerelService: string,
  clusters: readonly string[],
  opts: { dryRun: boolean; checkName?: string },
  client: MonitorPort,
  signal?: AbortSignal,
): Promise<{ outcomes: MonitorOutcome[]; failed: Issue[] }> {
  const desired = desiredMonitors(mackerelService, clusters, opts.checkName ? { checkName: opts.checkName } : {});
  const outcomes = await syncMonitors(desired, client, { dryRun: opts.dryRun }, signal);
  const failed: Issue[] = outcomes
    .filter((o) => o.action === 'failed')
    .map((o) => ({ target: `monitor ${o.name}`, reason: o.error ?? 'failed', stage: 'monitor', kind: o.errorKind ?? 'error' }));
  return { outcomes, failed };
}
