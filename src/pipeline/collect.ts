import type { Config } from '../config/config';
import type { DiscoveryCaches } from '../discovery/fetcher';
import type { Ec2Port, EcsPort } from '../discovery/ports';
import type { MackerelPort } from '../mackerel/client';
import { metricKey } from '../mackerel/naming';
import type { ServiceMetricsClient, ServiceMetricValue } from '../mackerel/serviceClient';
import type { Logger } from '../log';
import type { BodyFetcher } from '../scrape/bodyFetcher';
import type { GraphDef, Issue, MetricValue } from '../types';
import { discoverTargets } from './discoverOnly';
import { gather, type PlacedTarget } from './gather';
import { placeTargets, resolveHosts, type HostLookup } from './hosts';
import { syncInventories, type InventoryStore } from './inventorySync';
import { serviceMetricsStep } from './serviceMetrics';
import { DASHBOARDS_INTERVAL_MS, syncDashboards } from './dashboardsStep';
import type { DashboardOutcome } from '../dashboards/sync';
import type { DashboardPort } from '../mackerel/dashboardClient';
import { dueGraphDefs, postGraphDefs, postValues } from './post';
import { COUNTER_MAX_IDLE_S, drainRetry, type CollectorState } from './state';

/** Ports and state one cycle works with. Built once per container by src/runtime.ts. */
export interface CollectorDeps {
  readonly ecs: EcsPort;
  readonly ec2: Ec2Port;
  /** Absent only in a dry run without an API key: hosts then show as `unresolved:<instance-id>`. */
  readonly mackerel?: MackerelPort;
  readonly hosts?: HostLookup;
  readonly fetcher: BodyFetcher;
  /** Posts the per-ECS-service totals to MACKEREL_SERVICE; absent without an API key. */
  readonly serviceMetrics?: ServiceMetricsClient;
  /** Dashboards API; absent without an API key. */
  readonly dashboards?: DashboardPort;
  /** Host inventories (`ecs-tasks` metadata); an in-memory store in a dry run without an API key. */
  readonly inventory: InventoryStore;
  readonly caches: DiscoveryCaches;
  readonly state: CollectorState;
  readonly logger: Logger;
  /** Epoch milliseconds. */
  readonly now: () => number;
}

/** The one summary of a cycle: logged as one JSON line, printed by `collect --json`. */
export interface CycleSummary {
  readonly clusters: readonly string[];
  /** Targets resolved from labels and rules. */
  readonly targets: number;
  /** Targets scraped and parsed successfully. */
  readonly scraped: number;
  readonly samples: number;
  /** Metric values Mackerel accepted (0 in a dry run). */
  readonly posted: number;
  readonly graphDefs: number;
  readonly hosts: number;
  /** Host inventories (metadata namespace `ecs-tasks`) written this cycle. */
  readonly inventoriesWritten: number;
  /** Service metric values Mackerel accepted (MACKEREL_SERVICE). */
  readonly serviceMetrics: number;
  readonly skipped: readonly Issue[];
  readonly failed: readonly Issue[];
  /** Samples not posted, by reason (NaN, series over the bound, invalid names, …). */
  readonly dropped: Readonly<Record<string, number>>;
  readonly retryQueue: number;
  readonly bytesScraped: number;
  readonly durationMs: number;
  readonly dryRun: boolean;
  /** When dashboards were synced this cycle: one outcome per ECS service (`created`, `updated`, `unchanged`, …). */
  readonly dashboards?: readonly DashboardOutcome[];
  /** Only in a dry run: what would have been posted. */
  readonly wouldPost?: {
    readonly values: readonly MetricValue[];
    readonly graphDefs: readonly GraphDef[];
    readonly serviceMetrics: readonly ServiceMetricValue[];
  };
}

/** Per-call options of {@link collect}. */
export interface CollectOptions {
  /** Create/update the per-service dashboards from this cycle (`dry-run`: report what would change). */
  readonly dashboards?: 'sync' | 'dry-run';
}

/** Runs one collection cycle over every configured cluster. Throws only for critical errors. */
export async function collect(config: Config, deps: CollectorDeps, signal?: AbortSignal, opts: CollectOptions = {}): Promise<CycleSummary> {
  const started = deps.now();
  const nowS = Math.floor(started / 1000);
  const skipped: Issue[] = [];
  const failed: Issue[] = [];

  // 1 discover
  const discovered = await discoverTargets(config, deps, signal);
  const targets = discovered.targets;
  skipped.push(...discovered.skipped);
  failed.push(...discovered.failed);

  // 5 resolve hosts first: a target whose instance has no Mackerel host is not scraped at all.
  const hostless = targets.filter((t) => t.ec2InstanceId === undefined);
  const hosted = targets.filter((t) => t.ec2InstanceId !== undefined);
  const hostIds = await resolveHosts(hosted, deps, config.dryRun, signal);
  const placement = placeTargets(hosted, hostIds);
  skipped.push(...placement.skipped);
  failed.push(...placement.failed);

  // Inventory: merge what runs on each host, write what changed, and get each task's metric key.
  const inventory = await syncInventories(
    placement.placed,
    // Complete only when nothing went unseen: a failed discovery call or host lookup hides running tasks.
    { mode: config.metricKey, complete: discovered.failed.length === 0 && placement.failed.length === 0, snapshotStartedAt: new Date(started), now: new Date(deps.now()) },
    deps.inventory,
    signal,
  );
  failed.push(...inventory.issues);
  const placed: PlacedTarget[] = [];
  for (const p of placement.placed) {
    const key = inventory.keys.get(p.target.taskArn);
    if (key === undefined) {
      const why = inventory.unkeyedHosts.get(p.hostId) ?? 'no metric key for the task';
      failed.push({ target: p.target.id, reason: `METRIC_KEY=slot: ${why}` });
    } else placed.push({ ...p, key });
  }
  // Fargate targets (resolved only when MACKEREL_SERVICE is set): scraped for the service totals alone.
  for (const t of hostless) placed.push({ target: t, key: metricKey(t, config.metricKey === 'port' ? 'port' : 'task') });

  // 2-4 scrape, parse, name
  const got = await gather(placed, { fetcher: deps.fetcher, counters: deps.state.counters, logger: deps.logger }, nowS, signal);
  failed.push(...got.failed);
  const { values, graphs, dropped } = got;
  deps.state.counters.prune(nowS - COUNTER_MAX_IDLE_S);

  // 6 post
  const service = config.mackerelService
    ? await serviceMetricsStep(
        got.outcomes,
        discovered.running,
        { mackerelService: config.mackerelService, nowS, dryRun: config.dryRun },
        { client: deps.serviceMetrics, logger: deps.logger },
        signal,
      )
    : undefined;
  failed.push(...(service?.failed ?? []));
  const defs = dueGraphDefs(graphs, deps.state, started);
  let posted = 0;
  let graphDefsPosted = 0;
  if (!config.dryRun && deps.mackerel) {
    const retry = drainRetry(deps.state, nowS);
    const out = await postValues([...retry, ...values], { mackerel: deps.mackerel, state: deps.state, logger: deps.logger, signal });
    posted = out.posted;
    failed.push(...out.failed);
    const g = await postGraphDefs(defs, { mackerel: deps.mackerel, state: deps.state, logger: deps.logger, nowMs: started, signal });
    graphDefsPosted = g.posted;
    failed.push(...g.failed);
  }

  // Dashboards: on request (the `dashboards` command), or hourly from the scheduled function.
  const dashboardsDue =
    opts.dashboards ?? (config.dashboards === 'hourly' && started - (deps.state.dashboardsSyncedAt ?? 0) >= DASHBOARDS_INTERVAL_MS ? 'sync' : undefined);
  let dashboards: readonly DashboardOutcome[] | undefined;
  if (dashboardsDue && deps.dashboards) {
    const dryRun = dashboardsDue === 'dry-run';
    dashboards = (await syncDashboards(got.outcomes, { mackerelService: config.mackerelService, dryRun }, deps.dashboards, signal)).outcomes;
    for (const d of dashboards) if (d.action === 'failed') failed.push({ target: `dashboard ${d.urlPath}`, reason: d.error ?? 'failed' });
    if (!dryRun) deps.state.dashboardsSyncedAt = started;
  }

  // 7 report
  const summary: CycleSummary = {
    clusters: config.clusters,
    targets: targets.length,
    scraped: got.scraped,
    samples: values.length,
    posted,
    graphDefs: config.dryRun ? defs.length : graphDefsPosted,
    hosts: new Set(placement.placed.map((p) => p.hostId)).size,
    inventoriesWritten: inventory.written,
    serviceMetrics: service?.posted ?? 0,
    skipped,
    failed,
    dropped,
    retryQueue: deps.state.retryQueue.length,
    bytesScraped: got.bytesScraped,
    durationMs: deps.now() - started,
    dryRun: config.dryRun,
    ...(dashboards ? { dashboards } : {}),
    ...(config.dryRun ? { wouldPost: { values, graphDefs: defs, serviceMetrics: service?.values ?? [] } } : {}),
  };
  return summary;
}

/** The summary as logged: lists capped so one log line stays readable at 10,000 targets. */
export function summaryLogFields(s: CycleSummary, maxListed = 50): Record<string, unknown> {
  const { wouldPost: _omit, ...rest } = s;
  return {
    ...rest,
    skipped: s.skipped.slice(0, maxListed),
    skippedCount: s.skipped.length,
    failed: s.failed.slice(0, maxListed),
    failedCount: s.failed.length,
  };
}
