import type { Config } from '../config/config';
import { describeTaskContext } from '../discovery/fetcher';
import { isCandidateTaskDefinition, resolveTargets } from '../discovery/targetResolver';
import { tombstoneOf } from '../inventory/merge';
import { observedTasksFromTargets } from '../inventory/observed';
import { metricKey } from '../mackerel/naming';
import { matchCluster, parseTaskStateChange, type TaskStateChange } from '../refresh/event';
import type { Issue } from '../types';
import type { CollectorDeps } from './collect';
import { gather, type PlacedTarget } from './gather';
import { placeTargets, resolveHosts } from './hosts';
import { applyEventToInventory } from './inventorySync';
import { dueGraphDefs, postGraphDefs, postValues } from './post';

/** What the refresh path did with one event. Printed by `refresh --event`, logged by the handler. */
export interface RefreshSummary {
  readonly eventId?: string;
  readonly taskArn?: string;
  readonly cluster?: string;
  readonly version?: number;
  /** `scraped`: a new task posted at once; `retired`: a stopped task left the inventory, or was tombstoned before
   * its RUNNING event arrived (then with a reason); `duplicate`: an
   * event already applied (same or older version); `ignored`: not ours or not a change we act on;
   * `no-targets`: a running task with nothing to scrape; `failed`: it was recorded but none of its targets
   * could be scraped (reasons in `failed`). */
  readonly action: 'scraped' | 'retired' | 'duplicate' | 'ignored' | 'no-targets' | 'failed';
  readonly reason?: string;
  readonly targets: number;
  readonly scraped: number;
  readonly posted: number;
  readonly graphDefs: number;
  readonly inventoryChanged: boolean;
  readonly skipped: readonly Issue[];
  readonly failed: readonly Issue[];
  readonly durationMs: number;
}

type Draft = Omit<RefreshSummary, 'durationMs'>;
const none = { targets: 0, scraped: 0, posted: 0, graphDefs: 0, inventoryChanged: false, skipped: [], failed: [] };

/**
 * Handles one ECS Task State Change event through the same pipeline functions as the scheduled cycle: a task
 * that became RUNNING is resolved from the event (bindings, container instance, task definition), its
 * inventory entry added, scraped and posted at once; a STOPPED (or draining) task is retired from its host's
 * inventory. Repeated and older `detail.version`s change nothing. Throws only for critical errors.
 */
export async function refresh(config: Config, deps: CollectorDeps, event: unknown, signal?: AbortSignal): Promise<RefreshSummary> {
  const started = deps.now();
  const done = (d: Draft): RefreshSummary => {
    const s = { ...d, durationMs: deps.now() - started };
    deps.logger.info('refresh summary', { ...s });
    return s;
  };
  const parsed = parseTaskStateChange(event);
  if (!parsed.ok) return done({ ...none, action: 'ignored', reason: `not an ECS Task State Change event: ${parsed.error}` });
  const change = parsed.value;
  const ids = { eventId: change.id, taskArn: change.taskArn, version: change.version };
  const matched = matchCluster(change, config.clusters);
  if (!matched.ok) return done({ ...none, ...ids, action: 'ignored', reason: matched.error });
  const cluster = matched.value;
  if (change.kind === 'other') {
    return done({ ...none, ...ids, cluster, action: 'ignored', reason: `lastStatus ${change.lastStatus}, desiredStatus ${change.desiredStatus}` });
  }
  return done({ ...ids, cluster, ...(await applyChange(config, deps, cluster, change, signal)) });
}

async function applyChange(
  config: Config,
  deps: CollectorDeps,
  cluster: string,
  change: TaskStateChange,
  signal?: AbortSignal,
): Promise<Omit<Draft, 'eventId' | 'taskArn' | 'version' | 'cluster'>> {
  const nowMs = deps.now();
  const snapshot = await describeTaskContext(cluster, [change.task], {
    ecs: deps.ecs,
    ec2: config.scrapeMode === 'direct' && change.kind === 'running' ? deps.ec2 : undefined,
    caches: deps.caches,
    signal,
    isCandidate: (td) => isCandidateTaskDefinition(td, config.targetRules),
  });
  const resolved = resolveTargets(snapshot, config.targetRules, { hostAddress: config.scrapeMode === 'ssm' ? 'loopback' : 'privateIp' });
  const failed: Issue[] = [...snapshot.issues];
  // A stopped task is not resolved into targets (no DescribeInstances for it), so its skips would be noise.
  const skipped: Issue[] = change.kind === 'running' ? [...(change.skipped ?? []), ...resolved.skipped] : [];

  if (change.kind === 'stopped') {
    const ci = change.task.containerInstanceArn ? snapshot.containerInstances.get(change.task.containerInstanceArn) : undefined;
    deps.state.counters.forget(`${cluster}/${change.taskId}/`);
    deps.caches.tasks.delete(change.taskArn);
    if (!ci) return { ...none, action: 'ignored', reason: 'no EC2 container instance: nothing to retire', failed, skipped };
    const hosts = await resolveHosts([{ ec2InstanceId: ci.ec2InstanceId }], deps, config.dryRun, signal);
    const host = hosts.get(ci.ec2InstanceId);
    if (!host?.ok) return { ...none, action: 'ignored', reason: host?.reason ?? 'no Mackerel host', failed, skipped };
    const applied = await applyEventToInventory(host.hostId, { taskArn: change.taskArn, version: change.version, lastStatus: 'STOPPED' }, deps.inventory, new Date(nowMs), signal);
    if (applied.issue) failed.push(applied.issue);
    const changed = applied.merge?.changed ?? false;
    if (!changed) return { ...none, action: 'duplicate', failed, skipped };
    // Never listed (its RUNNING event is late, or it was never scraped): the tombstone keeps a late RUNNING out.
    const reason = applied.merge?.removed.includes(change.taskArn) ? {} : { reason: 'not in the inventory: tombstone recorded against a late RUNNING event' };
    return { ...none, action: 'retired', ...reason, inventoryChanged: true, failed, skipped };
  }

  if (resolved.targets.length === 0) return { ...none, action: 'no-targets', failed, skipped };
  const hosts = await resolveHosts(resolved.targets, deps, config.dryRun, signal);
  const placement = placeTargets(resolved.targets, hosts);
  skipped.push(...placement.skipped);
  failed.push(...placement.failed);
  // A lookup that may pass (Mackerel unreachable): an event cannot wait for it; the scheduled cycle scrapes the task.
  for (const p of placement.pending) failed.push({ target: p.target.id, reason: `${p.reason}; left to the scheduled cycle`, stage: 'host', kind: p.kind });
  const first = placement.placed[0];
  if (first === undefined) return { ...none, targets: resolved.targets.length, action: 'no-targets', failed, skipped };

  // One task runs on one host: its inventory decides whether this event is new, and (slot mode) its key.
  const observed = observedTasksFromTargets(placement.placed.map((p) => p.target), config.metricKey)[0];
  const applied = await applyEventToInventory(
    first.hostId,
    { taskArn: change.taskArn, version: change.version, lastStatus: 'RUNNING', ...(observed ? { task: { ...observed, version: change.version } } : {}) },
    deps.inventory,
    new Date(nowMs),
    signal,
  );
  if (applied.issue) failed.push(applied.issue);
  if (applied.merge && !applied.merge.changed) {
    const tomb = tombstoneOf(applied.merge.inventory, change.taskArn);
    const reason = tomb ? `task stopped at version ${tomb.version}: a RUNNING event does not bring it back` : `version ${change.version} already applied`;
    return { ...none, targets: resolved.targets.length, action: 'duplicate', reason, failed, skipped };
  }
  const entry = applied.merge?.inventory.tasks.find((t) => t.taskArn === change.taskArn);
  const key = config.metricKey === 'slot' ? entry?.metricKey : metricKey(first.target, config.metricKey);
  if (key === undefined) {
    for (const p of placement.placed) failed.push({ target: p.target.id, reason: 'METRIC_KEY=slot: inventory unavailable', stage: 'inventory', kind: 'no-key' });
    return { ...none, targets: resolved.targets.length, action: 'no-targets', failed, skipped };
  }
  const placed: PlacedTarget[] = placement.placed.map((p) => ({ ...p, key }));
  const got = await gather(placed, { fetcher: deps.fetcher, counters: deps.state.counters, logger: deps.logger, maxNamesPerTarget: config.maxNamesPerTarget }, Math.floor(nowMs / 1000), signal);
  failed.push(...got.failed);
  let posted = 0;
  let graphDefs = 0;
  if (!config.dryRun && deps.mackerel) {
    // The refresh function's own retry queue goes first: it has no scheduled cycle to drain it.
    const retry = deps.state.retryQueue.drain(Math.floor(nowMs / 1000));
    const out = await postValues([...retry.values, ...got.values], { mackerel: deps.mackerel, state: deps.state, logger: deps.logger, signal });
    posted = out.posted;
    failed.push(...out.failed);
    const defs = dueGraphDefs(got.graphs, deps.state, nowMs);
    const g = await postGraphDefs(defs, { mackerel: deps.mackerel, state: deps.state, logger: deps.logger, nowMs, signal });
    graphDefs = g.posted;
    failed.push(...g.failed);
  }
  return {
    action: got.scraped > 0 ? 'scraped' : 'failed',
    targets: resolved.targets.length,
    scraped: got.scraped,
    posted,
    graphDefs,
    inventoryChanged: applied.merge?.changed ?? false,
    skipped,
    failed,
  };
}
