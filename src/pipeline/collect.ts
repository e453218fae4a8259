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
import { pendingHostId, settlePendingHosts } from './pendingHosts';
import { syncInventories, type InventoryStore } from './inventorySync';
import { serviceMetricsStep } from './serviceMetrics';
import { DASHBOARDS_INTERVAL_MS, syncDashboards } from './dashboardsStep';
import type { DashboardOutcome } from '../dashboards/sync';
import type { DashboardPort } from '../mackerel/dashboardClient';
import { dueGraphDefs, postGraphDefs, postValues } from './post';
import { COUNTER_MAX_IDLE_S, type CollectorState } from './state';
import type { RetryDropped } from './retryQueue';
import { CriticalError, describeError } from '../errors';
import { countByKey, errorKind } from '../issues/kind';
import type { CheckReport } from '../checks/report';
import type { CheckPort } from '../mackerel/checkClient';
import type { MonitorPort } from '../mackerel/monitorClient';
import type { MonitorOutcome } from '../monitors/sync';
import { healthServiceValues } from '../health/serviceHealth';
import { reportChecks } from './checksStep';
import { MONITORS_INTERVAL_MS, syncCollectorMonitors } from './monitorsStep';

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
  /** Check monitoring (CHECKS); absent without an API key. */
  readonly checks?: CheckPort;
  /** Monitors API (MONITORS, the `monitors` command); absent without an API key. */
  readonly monitors?: MonitorPort;
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
  /** Failed entries counted by `stage/kind` (`scrape/timeout`: 9,998): the root causes at a glance. */
  readonly failedBy: Readonly<Record<string, number>>;
  /** Skipped entries counted by `stage/kind`. */
  readonly skippedBy: Readonly<Record<string, number>>;
  /** Per configured cluster: its targets, how many were scraped, failed and skipped, and the samples they gave. */
  readonly byCluster: Readonly<Record<string, ClusterFigures>>;
  /** Clusters whose discovery failed entirely (missing, or ListTasks failed): their tasks went unseen. */
  readonly discoveryFailed: readonly string[];
  /** Samples not posted, by reason (NaN, series over the bound, invalid names, …). */
  readonly dropped: Readonly<Record<string, number>>;
  readonly retryQueue: number;
  /** Values the retry queue dropped this cycle: over its byte cap (oldest first), or past Mackerel's 24 h window. */
  readonly retryDropped: Readonly<RetryDropped>;
  readonly bytesScraped: number;
  readonly durationMs: number;
  readonly dryRun: boolean;
  /**
   * Set when the cycle ended early: the deadline fired (what was gathered but not posted is on the retry queue)
   * or a critical error stopped it (then the error is thrown too, with this summary attached: {@link summaryOfError}).
   */
  readonly aborted?: string;
  /** When dashboards were synced this cycle: one outcome per ECS service (`created`, `updated`, `unchanged`, …). */
  readonly dashboards?: readonly DashboardOutcome[];
  /** When monitors were synced this cycle (MONITORS=on, the `monitors` command): one outcome per monitor. */
  readonly monitors?: readonly MonitorOutcome[];
  /** Check monitoring (CHECKS=on): reports accepted by Mackerel, and hosts reported non-OK this cycle. */
  readonly checks?: { readonly reported: number; readonly failing: number };
  /** Collector health values posted to MACKEREL_SERVICE as `ecs-collector.<cluster>.*`. */
  readonly healthMetrics?: number;
  /** Only in a dry run: what would have been posted. */
  readonly wouldPost?: {
    readonly values: readonly MetricValue[];
    readonly graphDefs: readonly GraphDef[];
    readonly serviceMetrics: readonly ServiceMetricValue[];
    readonly checkReports: readonly CheckReport[];
  };
}

/** One cluster's share of a cycle. `failed`/`skipped` count distinct targets of the cluster, not batch-level entries. */
export interface ClusterFigures {
  readonly targets: number;
  readonly scraped: number;
  readonly failed: number;
  readonly skipped: number;
  readonly samples: number;
}

/** Per-call options of {@link collect}. */
export interface CollectOptions {
  /** Create/update the per-service dashboards from this cycle (`dry-run`: report what would change). */
  readonly dashboards?: 'sync' | 'dry-run';
  /** Create/update the collector's monitors (`dry-run`: report what would change). Default: MONITORS, hourly. */
  readonly monitors?: 'sync' | 'dry-run';
}

/** Counts a cycle builds up; the summary is made from them whether the cycle ends or is cut short. */
interface Tally {
  targets: number;
  scraped: number;
  samples: number;
  posted: number;
  graphDefs: number;
  hosts: number;
  inventoriesWritten: number;
  serviceMetrics: number;
  readonly skipped: Issue[];
  readonly failed: Issue[];
  dropped: Record<string, number>;
  bytesScraped: number;
  dashboards?: readonly DashboardOutcome[];
  monitors?: readonly MonitorOutcome[];
  checks?: { reported: number; failing: number };
  wouldPost?: CycleSummary['wouldPost'];
  discoveryFailed: string[];
  /** Per cluster: targets (from discovery), scraped and samples (from the gathered outcomes). */
  readonly perCluster: Map<string, { targets: number; scraped: number; samples: number }>;
}

const summaries = new WeakMap<object, CycleSummary>();

/** The summary of the cycle a thrown error stopped (critical errors), so the caller can still log it. */
export function summaryOfError(e: unknown): CycleSummary | undefined {
  return typeof e === 'object' && e !== null ? summaries.get(e) : undefined;
}

/**
 * Runs one collection cycle over every configured cluster. Always ends with a summary: when `signal` fires
 * (the deadline) the cycle stops where it is and returns it with `aborted`; a critical error (access denied,
 * Mackerel 401/403) is thrown with the summary attached ({@link summaryOfError}). Nothing gathered is lost on
 * the way out: values not accepted are on the retry queue.
 */
export async function collect(config: Config, deps: CollectorDeps, signal?: AbortSignal, opts: CollectOptions = {}): Promise<CycleSummary> {
  const started = deps.now();
  const droppedBefore = { ...deps.state.retryQueue.dropped };
  const tally: Tally = {
    targets: 0, scraped: 0, samples: 0, posted: 0, graphDefs: 0, hosts: 0, inventoriesWritten: 0, serviceMetrics: 0,
    skipped: [], failed: [], dropped: {}, bytesScraped: 0, discoveryFailed: [], perCluster: new Map(),
  };
  const summarise = (aborted?: string): CycleSummary => {
    const now = deps.state.retryQueue.dropped;
    return {
      clusters: config.clusters,
      targets: tally.targets,
      scraped: tally.scraped,
      samples: tally.samples,
      posted: tally.posted,
      graphDefs: tally.graphDefs,
      hosts: tally.hosts,
      inventoriesWritten: tally.inventoriesWritten,
      serviceMetrics: tally.serviceMetrics,
      skipped: tally.skipped,
      failed: tally.failed,
      failedBy: countByKey(tally.failed),
      skippedBy: countByKey(tally.skipped),
      byCluster: clusterFigures(config.clusters, tally),
      discoveryFailed: tally.discoveryFailed,
      dropped: tally.dropped,
      retryQueue: deps.state.retryQueue.length,
      retryDropped: { cap: now.cap - droppedBefore.cap, age: now.age - droppedBefore.age },
      bytesScraped: tally.bytesScraped,
      durationMs: deps.now() - started,
      dryRun: config.dryRun,
      ...(aborted !== undefined ? { aborted } : {}),
      ...(tally.dashboards ? { dashboards: tally.dashboards } : {}),
      ...(tally.monitors ? { monitors: tally.monitors } : {}),
      ...(tally.checks ? { checks: tally.checks } : {}),
      ...(tally.wouldPost ? { wouldPost: tally.wouldPost } : {}),
    };
  };
  try {
    await runCycle(config, deps, tally, started, signal, opts);
  } catch (e) {
    if (signal?.aborted && !(e instanceof CriticalError)) return summarise(`deadline: ${describeError(signal.reason)}`);
    if (typeof e === 'object' && e !== null) summaries.set(e, summarise(describeError(e)));
    throw e;
  }
  if (signal?.aborted) return summarise(`deadline: ${describeError(signal.reason)}`);
  const summary = summarise();
  return postHealth(config, deps, summary, signal);
}

/**
 * Posts the cycle's health figures as `ecs-collector.<cluster>.*` service metrics (MACKEREL_SERVICE set, not a
 * dry run). Last, so the figures describe the whole cycle; a failure is added to the summary, never thrown
 * (except 401/403, which a cycle that got this far has not met).
 */
async function postHealth(config: Config, deps: CollectorDeps, summary: CycleSummary, signal?: AbortSignal): Promise<CycleSummary> {
  if (!config.mackerelService || config.dryRun || !deps.serviceMetrics) return summary;
  const values = healthServiceValues(summary, Math.floor(deps.now() / 1000));
  const r = await deps.serviceMetrics.postServiceMetrics(config.mackerelService, values, signal);
  if (r.ok) return { ...summary, healthMetrics: values.length };
  if (r.error instanceof CriticalError) throw r.error;
  deps.logger.warn('health metrics not posted', { service: config.mackerelService, reason: r.error.message });
  const issue: Issue = { target: `service ${config.mackerelService} health`, reason: r.error.message, stage: 'service', kind: errorKind(r.error) };
  const failed = [...summary.failed, issue];
  return { ...summary, healthMetrics: 0, failed, failedBy: countByKey(failed) };
}

async function runCycle(config: Config, deps: CollectorDeps, tally: Tally, started: number, signal: AbortSignal | undefined, opts: CollectOptions): Promise<void> {
  const nowS = Math.floor(started / 1000);
  const { skipped, failed } = tally;

  // 1 discover
  const discovered = await discoverTargets(config, deps, signal);
  const targets = discovered.targets;
  tally.targets = targets.length;
  skipped.push(...discovered.skipped);
  failed.push(...discovered.failed);
  tally.discoveryFailed = discovered.discoveryFailed;
  for (const [cluster, n] of discovered.targetsByCluster) tally.perCluster.set(cluster, { targets: n, scraped: 0, samples: 0 });

  // 5 resolve hosts first: a target whose instance has no Mackerel host is not scraped at all.
  const hostless = targets.filter((t) => t.ec2InstanceId === undefined);
  const hosted = targets.filter((t) => t.ec2InstanceId !== undefined);
  const hostIds = await resolveHosts(hosted, deps, config.dryRun, signal);
  const placement = placeTargets(hosted, hostIds);
  skipped.push(...placement.skipped);
  failed.push(...placement.failed);
  tally.hosts = new Set(placement.placed.map((p) => p.hostId)).size;
  // Host lookup down (a cold start during a Mackerel outage): scrape anyway, values wait for their host id.
  const pendingPlaced: PlacedTarget[] = [];
  for (const p of placement.pending) {
    const instanceId = p.target.ec2InstanceId ?? '';
    if (config.metricKey === 'slot') {
      failed.push({ target: p.target.id, reason: `${p.reason}; METRIC_KEY=slot needs the host's inventory, so the target was not scraped`, stage: 'host', kind: p.kind });
      continue;
    }
    failed.push({ target: p.target.id, reason: `${p.reason}; scraped anyway, its values wait on the retry queue for the host id`, stage: 'host', kind: p.kind });
    pendingPlaced.push({ target: p.target, hostId: pendingHostId(instanceId), key: metricKey(p.target, config.metricKey) });
  }

  // Inventory: merge what runs on each host, write what changed, and get each task's metric key.
  const inventory = await syncInventories(
    placement.placed,
    // Complete only when nothing went unseen: a failed discovery call or host lookup hides running tasks.
    {
      mode: config.metricKey,
      // A cluster that does not exist hides no task: it does not make the snapshot incomplete.
      complete: discovered.failed.length === discovered.missingClusters.length && placement.failed.length === 0 && placement.pending.length === 0,
      snapshotStartedAt: new Date(started),
      now: new Date(deps.now()),
    },
    deps.inventory,
    signal,
  );
  failed.push(...inventory.issues);
  tally.inventoriesWritten = inventory.written;
  const placed: PlacedTarget[] = [];
  for (const p of placement.placed) {
    const key = inventory.keys.get(p.target.taskArn);
    if (key === undefined) {
      const why = inventory.unkeyedHosts.get(p.hostId) ?? 'no metric key for the task';
      failed.push({ target: p.target.id, reason: `METRIC_KEY=slot: ${why}`, stage: 'inventory', kind: 'no-key' });
    } else placed.push({ ...p, key });
  }
  placed.push(...pendingPlaced);
  // Fargate targets (resolved only when MACKEREL_SERVICE is set): scraped for the service totals alone.
  for (const t of hostless) placed.push({ target: t, key: metricKey(t, config.metricKey === 'port' ? 'port' : 'task') });

  // 2-4 scrape, parse, name
  const got = await gather(placed, { fetcher: deps.fetcher, counters: deps.state.counters, logger: deps.logger, maxNamesPerTarget: config.maxNamesPerTarget }, nowS, signal);
  failed.push(...got.failed);
  const { values, graphs } = got;
  tally.dropped = { ...got.dropped };
  tally.scraped = got.scraped;
  tally.samples = values.length;
  tally.bytesScraped = got.bytesScraped;
  for (const o of got.outcomes) {
    const c = tally.perCluster.get(o.target.cluster);
    if (c === undefined || o.kind !== 'ok') continue;
    c.scraped++;
    c.samples += o.samples.length;
  }
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
  tally.serviceMetrics = service?.posted ?? 0;
  const defs = dueGraphDefs(graphs, deps.state, started);
  let checkReports: readonly CheckReport[] = [];
  if (config.dryRun) {
    tally.graphDefs = defs.length;
  } else if (deps.mackerel) {
    // Queued values first (oldest first); a value the queue still holds after this is not lost.
    const retry = deps.state.retryQueue.drain(nowS);
    const settled = await settlePendingHosts([...retry.values, ...values], deps.hosts, signal);
    deps.state.retryQueue.enqueue(settled.waiting);
    if (settled.critical) {
      deps.state.retryQueue.enqueue(settled.ready);
      throw settled.critical;
    }
    if (settled.noHost > 0) tally.dropped['no Mackerel host for the instance'] = (tally.dropped['no Mackerel host for the instance'] ?? 0) + settled.noHost;
    const out = await postValues(settled.ready, { mackerel: deps.mackerel, state: deps.state, logger: deps.logger, signal });
    tally.posted = out.posted;
    failed.push(...out.failed);
    for (const [reason, n] of Object.entries(out.rejected)) tally.dropped[reason] = (tally.dropped[reason] ?? 0) + n;
    for (const hostId of out.rejectedHosts) deps.hosts?.forgetHost?.(hostId);
    const g = await postGraphDefs(defs, { mackerel: deps.mackerel, state: deps.state, logger: deps.logger, nowMs: started, signal });
    tally.graphDefs = g.posted;
    failed.push(...g.failed);
  }

  // Checks: one per Mackerel host with targets (a dry run's `unresolved:` hosts are not real hosts).
  if (config.checks) {
    const real = placement.placed.filter((p) => !p.hostId.startsWith('unresolved:'));
    const checks = await reportChecks(
      real,
      failed,
      deps.state.checks,
      {
        name: config.checkName,
        failureStatus: config.checkFailureStatus,
        maxCheckAttempts: config.checkAttempts,
        nowS,
        dryRun: config.dryRun,
        incomplete: discovered.discoveryFailed.length > 0,
      },
      deps.checks,
      signal,
    );
    failed.push(...checks.failed);
    tally.checks = { reported: checks.reported, failing: checks.failing };
    checkReports = checks.reports;
  }
  if (config.dryRun) tally.wouldPost = { values, graphDefs: defs, serviceMetrics: service?.values ?? [], checkReports };

  // Monitors of the collector itself: on request (the `monitors` command), or hourly with MONITORS=on.
  const monitorsDue =
    opts.monitors ?? (config.monitors === 'on' && !config.dryRun && started - (deps.state.monitorsSyncedAt ?? 0) >= MONITORS_INTERVAL_MS ? 'sync' : undefined);
  if (monitorsDue && deps.monitors && config.mackerelService) {
    const dryRun = monitorsDue === 'dry-run';
    const m = await syncCollectorMonitors(config.mackerelService, config.clusters, { dryRun, checkName: config.checkName }, deps.monitors, signal);
    tally.monitors = m.outcomes;
    failed.push(...m.failed);
    if (!dryRun && m.failed.length === 0) deps.state.monitorsSyncedAt = started;
  }

  // Dashboards: on request (the `dashboards` command), or hourly from the scheduled function.
  const dashboardsDue =
    opts.dashboards ?? (config.dashboards === 'hourly' && started - (deps.state.dashboardsSyncedAt ?? 0) >= DASHBOARDS_INTERVAL_MS ? 'sync' : undefined);
  if (dashboardsDue && deps.dashboards) {
    const dryRun = dashboardsDue === 'dry-run';
    const dashboards = (await syncDashboards(got.outcomes, { mackerelService: config.mackerelService, dryRun }, deps.dashboards, signal)).outcomes;
    tally.dashboards = dashboards;
    for (const d of dashboards) if (d.action === 'failed') failed.push({ target: `dashboard ${d.urlPath}`, reason: d.error ?? 'failed', stage: 'dashboard', kind: d.errorKind ?? 'error' });
    if (!dryRun) deps.state.dashboardsSyncedAt = started;
  }
}

/** Counts per configured cluster; an entry belongs to a cluster when its target is one of the cluster's targets. */
function clusterFigures(clusters: readonly string[], tally: Tally): Record<string, ClusterFigures> {
  const out: Record<string, ClusterFigures> = {};
  for (const cluster of clusters) {
    const prefix = `${cluster}/`;
    const distinctTargets = (issues: readonly Issue[]): number => new Set(issues.filter((i) => i.target.startsWith(prefix)).map((i) => i.target)).size;
    const c = tally.perCluster.get(cluster) ?? { targets: 0, scraped: 0, samples: 0 };
    out[cluster] = { targets: c.targets, scraped: c.scraped, failed: distinctTargets(tally.failed), skipped: distinctTargets(tally.skipped), samples: c.samples };
  }
  return out;
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
