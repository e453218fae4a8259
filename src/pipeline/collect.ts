import type { Config } from '../config/config';
import type { DiscoveryCaches } from '../discovery/fetcher';
import type { Ec2Port, EcsPort } from '../discovery/ports';
import type { MackerelPort } from '../mackerel/client';
import type { GraphMeta } from '../parse';
import type { Logger } from '../log';
import type { BodyFetcher } from '../scrape/bodyFetcher';
import type { GraphDef, Issue, MetricValue, Target } from '../types';
import { discoverTargets } from './discoverOnly';
import { resolveHosts, type HostLookup } from './hosts';
import { dueGraphDefs, postGraphDefs, postValues } from './post';
import { COUNTER_MAX_IDLE_S, drainRetry, type CollectorState } from './state';
import { parseTarget, type TargetOutcome } from './targetWork';

/** Ports and state one cycle works with. Built once per container by src/runtime.ts. */
export interface CollectorDeps {
  readonly ecs: EcsPort;
  readonly ec2: Ec2Port;
  /** Absent only in a dry run without an API key: hosts then show as `unresolved:<instance-id>`. */
  readonly mackerel?: MackerelPort;
  readonly hosts?: HostLookup;
  readonly fetcher: BodyFetcher;
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
  readonly skipped: readonly Issue[];
  readonly failed: readonly Issue[];
  /** Samples not posted, by reason (NaN, series over the bound, invalid names, …). */
  readonly dropped: Readonly<Record<string, number>>;
  readonly retryQueue: number;
  readonly bytesScraped: number;
  readonly durationMs: number;
  readonly dryRun: boolean;
  /** Only in a dry run: what would have been posted. */
  readonly wouldPost?: { readonly values: readonly MetricValue[]; readonly graphDefs: readonly GraphDef[] };
}

/** Runs one collection cycle over every configured cluster. Throws only for critical errors. */
export async function collect(config: Config, deps: CollectorDeps, signal?: AbortSignal): Promise<CycleSummary> {
  const started = deps.now();
  const nowS = Math.floor(started / 1000);
  const skipped: Issue[] = [];
  const failed: Issue[] = [];
  const dropped: Record<string, number> = {};

  // 1 discover
  const discovered = await discoverTargets(config, deps, signal);
  const targets = discovered.targets;
  skipped.push(...discovered.skipped);
  failed.push(...discovered.failed);

  // 5 resolve hosts first: a target whose instance has no Mackerel host is not scraped at all.
  const hostIds = await resolveHosts(targets, deps, config.dryRun, signal);
  const placed: { target: Target; hostId: string }[] = [];
  for (const t of targets) {
    const h = hostIds.get(t.ec2InstanceId ?? '');
    if (h === undefined) {
      skipped.push({ target: t.id, reason: 'no EC2 instance to post to' });
    } else if (!h.ok) {
      (h.kind === 'failed' ? failed : skipped).push({ target: t.id, reason: h.reason });
    } else {
      placed.push({ target: t, hostId: h.hostId });
    }
  }

  // 2-4 scrape, parse, name
  const hostOf = new Map(placed.map((p) => [p.target.id, p.hostId]));
  const outcomes: TargetOutcome[] = [];
  const ctx = { counters: deps.state.counters, metricKey: config.metricKey, nowS };
  await deps.fetcher.fetchEach(
    placed.map((p) => p.target),
    (target, body) => outcomes.push(parseTarget(target, hostOf.get(target.id) ?? '', body, ctx)),
    signal,
  );
  const values: MetricValue[] = [];
  const graphs: { prefix: string; meta: GraphMeta }[] = [];
  let scraped = 0;
  let bytesScraped = 0;
  for (const o of outcomes) {
    if (o.kind === 'failed') {
      deps.logger.warn('target failed', { targetId: o.target.id, stage: o.stage, reason: o.reason, errorName: o.errorName });
      failed.push({ target: o.target.id, reason: `${o.stage}: ${o.reason}` });
      continue;
    }
    scraped++;
    bytesScraped += o.bytes;
    values.push(...o.values);
    for (const meta of o.graphs) graphs.push({ prefix: o.target.prefix, meta });
    for (const d of o.dropped) dropped[d.reason] = (dropped[d.reason] ?? 0) + d.count;
  }
  deps.state.counters.prune(nowS - COUNTER_MAX_IDLE_S);

  // 6 post
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

  // 7 report
  const summary: CycleSummary = {
    clusters: config.clusters,
    targets: targets.length,
    scraped,
    samples: values.length,
    posted,
    graphDefs: config.dryRun ? defs.length : graphDefsPosted,
    hosts: new Set(placed.map((p) => p.hostId)).size,
    skipped,
    failed,
    dropped,
    retryQueue: deps.state.retryQueue.length,
    bytesScraped,
    durationMs: deps.now() - started,
    dryRun: config.dryRun,
    ...(config.dryRun ? { wouldPost: { values, graphDefs: defs } } : {}),
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
