import { buildServiceDashboard, type DashboardGraphInput } from '../dashboards/build';
import { upsertDashboards, type DashboardOutcome } from '../dashboards/sync';
import type { DashboardBody, DashboardPort } from '../mackerel/dashboardClient';
import { serviceGroup } from '../service/names';
import type { TargetOutcome } from './targetWork';

/** The scheduled function refreshes dashboards this often with DASHBOARDS=hourly. */
export const DASHBOARDS_INTERVAL_MS = 3600 * 1000;

/**
 * One dashboard body per ECS service (standalone tasks grouped as `family-<family>`, as in service metrics),
 * from what this cycle actually produced: the hosts its tasks posted to, the graphs their formats yielded and
 * their metric keys. Sorted by urlPath so that repeated runs compare equal.
 */
export function dashboardBodies(outcomes: readonly TargetOutcome[], mackerelService: string | undefined): DashboardBody[] {
  const groups = new Map<string, { cluster: string; service: string; hosts: Set<string>; keys: Set<string>; graphs: Map<string, DashboardGraphInput> }>();
  for (const o of outcomes) {
    if (o.kind !== 'ok') continue;
    const t = o.target;
    const service = serviceGroup(t);
    const id = `${t.cluster}\u0000${service}`;
    const g = groups.get(id) ?? { cluster: t.cluster, service, hosts: new Set<string>(), keys: new Set<string>(), graphs: new Map() };
    for (const v of o.values.slice(0, 1)) g.hosts.add(v.hostId);
    g.keys.add(o.key);
    for (const meta of o.graphs) {
      const gid = `${t.prefix}.${meta.graph}`;
      const known = g.graphs.get(gid);
      const metrics = new Set([...(known?.metrics ?? []), ...meta.metrics.map((m) => m.name)]);
      g.graphs.set(gid, { prefix: t.prefix, graph: meta.graph, metrics: [...metrics].sort(), unit: meta.unit, displayName: meta.displayName });
    }
    groups.set(id, g);
  }
  return [...groups.values()]
    .map((g) =>
      buildServiceDashboard({
        cluster: g.cluster,
        service: g.service,
        ...(mackerelService ? { mackerelService } : {}),
        hosts: [...g.hosts].sort().map((hostId) => ({ hostId })),
        graphs: [...g.graphs.values()].sort((a, b) => `${a.prefix}.${a.graph}`.localeCompare(`${b.prefix}.${b.graph}`)),
        taskKeys: [...g.keys].sort(),
      }),
    )
    .sort((a, b) => a.urlPath.localeCompare(b.urlPath));
}

/** Builds and upserts the dashboards of this cycle (list, then PUT the match or POST; never a duplicate). */
export async function syncDashboards(
  outcomes: readonly TargetOutcome[],
  opts: { mackerelService?: string; dryRun: boolean },
  client: DashboardPort,
  signal?: AbortSignal,
): Promise<{ bodies: DashboardBody[]; outcomes: DashboardOutcome[] }> {
  const bodies = dashboardBodies(outcomes, opts.mackerelService);
  return { bodies, outcomes: await upsertDashboards(client, bodies, { dryRun: opts.dryRun, ...(signal ? { signal } : {}) }) };
}
