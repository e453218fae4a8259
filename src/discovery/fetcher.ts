/**
 * One discovery pass over one cluster: ListTasks → DescribeTasks (chunks of 100) → DescribeTaskDefinition (each
 * uncached ARN) → DescribeContainerInstances (uncached, chunks of 100) → EC2 DescribeInstances (uncached).
 * Container and EC2 instances are looked up only for tasks that can yield a target, and EC2 only in direct mode.
 *
 * Partial failure is data: a failed or timed-out call, or a listing cut short, becomes an Issue and discovery goes
 * on with the rest (its tasks are then skipped with a reason by the resolver). Only CriticalErrors (AccessDenied,
 * unknown cluster) and an aborted signal (the invocation's deadline) are thrown.
 */
import { CollectorError, CriticalError, describeError } from '../errors';
import type { Issue } from '../types';
import { errorKind } from '../issues/kind';
import { mapLimit } from '../util/mapLimit';
import { LruCache } from './cache';
import type { ClusterSnapshot, ContainerInstance, Ec2Instance, EcsTask, TaskDefinition } from './model';
import { DESCRIBE_CONTAINER_INSTANCES_MAX, DESCRIBE_TASKS_MAX, EC2_INSTANCE_ID_FILTER_MAX, type Ec2Port, type EcsPort } from './ports';

/** Task definition revisions are immutable; 2000 follows ecsobserver (ECS service quotas). */
export const TASK_DEFINITION_CACHE_ENTRIES = 2000;
/** Container and EC2 instances cached per warm container. */
export const INSTANCE_CACHE_ENTRIES = 2000;
/** Instances are replaced (scale-in, AMI roll); a stale entry lives at most this long. */
export const INSTANCE_CACHE_TTL_MS = 10 * 60 * 1000;
/** Calls in flight per stage: well under the ECS burst buckets (100 cluster reads, 50 task definition reads). */
export const DEFAULT_DISCOVERY_CONCURRENCY = 5;

/**
 * RUNNING task descriptions are kept this long: what targets need (bindings, container instance, task definition,
 * ENI) does not change during a task's life, and ListTasks(RUNNING) still says every cycle which tasks run. The
 * expiry only refreshes what may change (tags). Without it a warm cycle of 10,000 tasks makes 100 DescribeTasks
 * calls on top of 100 ListTasks pages: 200 reads of the 20/s cluster bucket, a 5 s floor (bench/README.md).
 */
export const TASK_CACHE_TTL_MS = 10 * 60 * 1000;
/** Tasks cached per warm container (at 10 tasks per instance, 2,000 instances). */
export const TASK_CACHE_ENTRIES = 20_000;

/** The lookups a warm Lambda keeps between cycles. Create once at module scope. */
export interface DiscoveryCaches {
  readonly tasks: LruCache<string, EcsTask>;
  readonly taskDefinitions: LruCache<string, TaskDefinition>;
  readonly containerInstances: LruCache<string, ContainerInstance>;
  readonly instances: LruCache<string, Ec2Instance>;
}

/** Fresh caches with the sizes and expiries above; `now` is injectable for tests. */
export function createDiscoveryCaches(options: { now?: () => number } = {}): DiscoveryCaches {
  const now = options.now ?? Date.now;
  return {
    tasks: new LruCache({ maxEntries: TASK_CACHE_ENTRIES, ttlMs: TASK_CACHE_TTL_MS, now }),
    taskDefinitions: new LruCache({ maxEntries: TASK_DEFINITION_CACHE_ENTRIES, now }),
    containerInstances: new LruCache({ maxEntries: INSTANCE_CACHE_ENTRIES, ttlMs: INSTANCE_CACHE_TTL_MS, now }),
    instances: new LruCache({ maxEntries: INSTANCE_CACHE_ENTRIES, ttlMs: INSTANCE_CACHE_TTL_MS, now }),
  };
}

/** What {@link discoverCluster} needs. */
export interface DiscoveryDeps {
  readonly ecs: EcsPort;
  /** Omitted in ssm scrape mode: no DescribeInstances (the scrape runs on the instance itself). */
  readonly ec2?: Ec2Port;
  readonly caches: DiscoveryCaches;
  /** The invocation's deadline; passed to every call. */
  readonly signal?: AbortSignal;
  /** Calls in flight per stage; default {@link DEFAULT_DISCOVERY_CONCURRENCY}. */
  readonly concurrency?: number;
  /** Whether a task definition can yield a target (targetResolver's isCandidateTaskDefinition); default all. */
  readonly isCandidate?: (td: TaskDefinition) => boolean;
}

/** Consecutive slices of at most `size`: one API call each. */
function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const distinct = <T>(items: Iterable<T | undefined>): T[] => [...new Set([...items].filter((i): i is T => i !== undefined))];

/** Looks up what the cache has and returns the keys it does not. */
function fromCache<V>(keys: readonly string[], cache: LruCache<string, V>, into: Map<string, V>): string[] {
  const missing: string[] = [];
  for (const key of keys) {
    const hit = cache.get(key);
    if (hit === undefined) missing.push(key);
    else into.set(key, hit);
  }
  return missing;
}

/**
 * Runs one call; an ordinary failure becomes an Issue for `target` and yields undefined. The Issue is also
 * recorded against each of `about` (the ARNs or instance ids the call was to describe) in `lookupFailures`, so
 * that a target left without its instance says why (the call's error), not just "was not described".
 */
function attempter(issues: Issue[], signal: AbortSignal | undefined, lookupFailures?: Map<string, Issue>) {
  return async <T>(target: string, call: () => Promise<T>, about: readonly string[] = []): Promise<T | undefined> => {
    try {
      return await call();
    } catch (e) {
      if (e instanceof CriticalError) throw e;
      signal?.throwIfAborted();
      const issue: Issue = { target, reason: e instanceof CollectorError ? e.message : describeError(e), stage: 'discovery', kind: errorKind(e) };
      issues.push(issue);
      for (const id of about) lookupFailures?.set(id, issue);
      return undefined;
    }
  };
}

/** Discovers one cluster; see the module comment for what is thrown and what becomes an Issue. */
export async function discoverCluster(cluster: string, deps: DiscoveryDeps): Promise<ClusterSnapshot> {
  const { ecs, signal } = deps;
  const limit = Math.max(1, deps.concurrency ?? DEFAULT_DISCOVERY_CONCURRENCY);
  const issues: Issue[] = [];
  const attempt = attempter(issues, signal);

  signal?.throwIfAborted();
  const listed = await attempt(cluster, () => ecs.listTaskArns(cluster, signal));
  issues.push(...(listed?.issues ?? []));
  if (listed === undefined) {
    // Nothing listed: this cluster's discovery failed entirely (the summary's `discoveryFailed`).
    return { cluster, tasks: [], taskDefinitions: new Map(), containerInstances: new Map(), instances: new Map(), issues, listFailed: true };
  }
  const arns = distinct(listed?.items ?? []);

  signal?.throwIfAborted();
  const byArn = new Map<string, EcsTask>();
  const taskBatches = chunk(fromCache(arns, deps.caches.tasks, byArn), DESCRIBE_TASKS_MAX);
  const described = await mapLimit(taskBatches, limit, (batch, i) =>
    attempt(`${cluster} DescribeTasks batch ${i + 1}/${taskBatches.length}`, () => ecs.describeTasks(cluster, batch, signal)),
  );
  for (const answer of described) {
    if (!answer) continue;
    issues.push(...answer.failures);
    // ListTasks(RUNNING) can still return tasks on their way up or down; only RUNNING ones have bindings, and
    // only those are cached.
    for (const t of answer.tasks) {
      if (t.lastStatus !== 'RUNNING') continue;
      byArn.set(t.taskArn, t);
      deps.caches.tasks.set(t.taskArn, t);
    }
  }
  // Listed order, cached or not, so that the snapshot does not depend on what the cache held.
  const running = arns.flatMap((arn) => {
    const t = byArn.get(arn);
    return t ? [t] : [];
  });
  const snapshot = await describeTaskContext(cluster, running, deps);
  return { ...snapshot, issues: [...issues, ...snapshot.issues] };
}

/**
 * Completes a snapshot for tasks already in hand: their task definitions, container instances and EC2
 * instances, from the caches or one call each. The scheduled cycle feeds it every RUNNING task; the refresh
 * handler feeds it the one task of an ECS Task State Change event.
 */
export async function describeTaskContext(cluster: string, tasks: readonly EcsTask[], deps: DiscoveryDeps): Promise<ClusterSnapshot> {
  const { ecs, ec2, caches, signal } = deps;
  const limit = Math.max(1, deps.concurrency ?? DEFAULT_DISCOVERY_CONCURRENCY);
  const isCandidate = deps.isCandidate ?? (() => true);
  const issues: Issue[] = [];
  const lookupFailures = new Map<string, Issue>();
  const attempt = attempter(issues, signal, lookupFailures);

  signal?.throwIfAborted();
  const taskDefinitions = new Map<string, TaskDefinition>();
  const tdMissing = fromCache(distinct(tasks.map((t) => t.taskDefinitionArn)), caches.taskDefinitions, taskDefinitions);
  await mapLimit(tdMissing, limit, async (arn) => {
    const td = await attempt(arn, () => ecs.describeTaskDefinition(arn, signal), [arn]);
    if (td) {
      caches.taskDefinitions.set(arn, td);
      taskDefinitions.set(arn, td);
    }
  });

  // Only EC2 tasks that can yield a target need their host (Fargate has none; ECS Anywhere has no EC2 id).
  const hosted = tasks.filter((t) => {
    const td = taskDefinitions.get(t.taskDefinitionArn);
    return td !== undefined && t.launchType === 'EC2' && t.containerInstanceArn !== undefined && isCandidate(td);
  });

  signal?.throwIfAborted();
  const containerInstances = new Map<string, ContainerInstance>();
  const ciMissing = fromCache(distinct(hosted.map((t) => t.containerInstanceArn)), caches.containerInstances, containerInstances);
  const ciBatches = chunk(ciMissing, DESCRIBE_CONTAINER_INSTANCES_MAX);
  await mapLimit(ciBatches, limit, async (batch, i) => {
    const answer = await attempt(`${cluster} DescribeContainerInstances batch ${i + 1}/${ciBatches.length}`, () =>
      ecs.describeContainerInstances(cluster, batch, signal),
    batch);
    if (!answer) return;
    issues.push(...answer.failures);
    for (const ci of answer.instances) {
      caches.containerInstances.set(ci.arn, ci);
      containerInstances.set(ci.arn, ci);
    }
  });

  const instances = new Map<string, Ec2Instance>();
  if (ec2) {
    signal?.throwIfAborted();
    // awsvpc tasks are scraped on their ENI address: only bridge/host tasks need the instance's IP.
    const needIp = hosted.filter((t) => {
      const mode = taskDefinitions.get(t.taskDefinitionArn)?.networkMode;
      return mode === 'bridge' || mode === 'host';
    });
    const ids = distinct(needIp.map((t) => (t.containerInstanceArn ? containerInstances.get(t.containerInstanceArn)?.ec2InstanceId : undefined)));
    const idBatches = chunk(fromCache(ids, caches.instances, instances), EC2_INSTANCE_ID_FILTER_MAX);
    await mapLimit(idBatches, limit, async (batch, i) => {
      const label = `${cluster} DescribeInstances batch ${i + 1}/${idBatches.length}`;
      const found = await attempt(label, () => ec2.describeInstances(batch, signal), batch);
      if (!found) return;
      issues.push(...found.issues.map((issue) => ({ ...issue, target: label })));
      const incomplete = found.issues[0];
      for (const inst of found.items) {
        caches.instances.set(inst.instanceId, inst);
        instances.set(inst.instanceId, inst);
      }
      for (const id of batch) {
        if (instances.has(id)) continue;
        // A listing cut short explains a missing instance; otherwise EC2 does not know it (terminated).
        if (incomplete) lookupFailures.set(id, { ...incomplete, target: label });
        else issues.push({ target: id, reason: 'DescribeInstances did not return this instance (terminated?)', stage: 'discovery', kind: 'not-found' });
      }
    });
  }

  return { cluster, tasks: [...tasks], taskDefinitions, containerInstances, instances, issues, lookupFailures };
}
