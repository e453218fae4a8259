import type { Config } from '../config/config';
import { ClusterNotFoundError } from '../discovery/errors';
import { discoverCluster } from '../discovery/fetcher';
import type { ClusterSnapshot } from '../discovery/model';
import { isCandidateTaskDefinition, resolveTargets, serviceOf } from '../discovery/targetResolver';
import type { RunningTask } from '../service/aggregate';
import type { Issue, Target } from '../types';
import type { CollectorDeps } from './collect';

/** What step 1 found over every configured cluster. */
export interface DiscoveredTargets {
  readonly targets: Target[];
  readonly skipped: Issue[];
  readonly failed: Issue[];
  readonly running: RunningTask[];
  /** Configured clusters that do not exist (ClusterNotFoundException). */
  readonly missingClusters: string[];
  /** Clusters whose discovery failed entirely: missing, or ListTasks failed. Their tasks are unseen this cycle. */
  readonly discoveryFailed: string[];
  /** Targets per configured cluster (0 for a cluster with none). */
  readonly targetsByCluster: ReadonlyMap<string, number>;
}

/**
 * Step 1 of the cycle alone: the targets every configured cluster resolves to, and what was skipped. A cluster
 * that does not exist is a failure for that cluster and the others are still discovered; only when no configured
 * cluster exists is the ClusterNotFoundError thrown (critical: the configuration or Region is wrong).
 */
export async function discoverTargets(
  config: Config,
  deps: Pick<CollectorDeps, 'ecs' | 'ec2' | 'caches' | 'logger'>,
  signal?: AbortSignal,
): Promise<DiscoveredTargets> {
  const targets: Target[] = [];
  const running: RunningTask[] = [];
  const skipped: Issue[] = [];
  const failed: Issue[] = [];
  const missing: ClusterNotFoundError[] = [];
  const discoveryFailed: string[] = [];
  const targetsByCluster = new Map<string, number>();
  for (const cluster of config.clusters) {
    let snapshot: ClusterSnapshot;
    try {
      snapshot = await discoverCluster(cluster, {
        ecs: deps.ecs,
        // ssm mode scrapes 127.0.0.1 on the instance itself: no DescribeInstances, no route to the instances.
        ec2: config.scrapeMode === 'direct' ? deps.ec2 : undefined,
        caches: deps.caches,
        signal,
        isCandidate: (td) => isCandidateTaskDefinition(td, config.targetRules),
      });
    } catch (e) {
      if (!(e instanceof ClusterNotFoundError)) throw e;
      deps.logger.warn('cluster not found', { cluster, action: e.action, reason: e.message });
      missing.push(e);
      failed.push({ target: cluster, reason: e.message, stage: 'discovery', kind: 'not-found' });
      discoveryFailed.push(cluster);
      targetsByCluster.set(cluster, 0);
      continue;
    }
    if (snapshot.listFailed) discoveryFailed.push(cluster);
    for (const issue of snapshot.issues) deps.logger.warn('discovery issue', { cluster, target: issue.target, kind: issue.kind, reason: issue.reason });
    failed.push(...snapshot.issues);
    const resolved = resolveTargets(snapshot, config.targetRules, {
      hostAddress: config.scrapeMode === 'ssm' ? 'loopback' : 'privateIp',
      // A Fargate task has no EC2 host: only a Mackerel service can take its metrics, and only direct mode reaches it.
      fargate: config.mackerelService !== undefined && config.scrapeMode === 'direct',
    });
    for (const task of snapshot.tasks) {
      const service = serviceOf(task);
      const family = snapshot.taskDefinitions.get(task.taskDefinitionArn)?.family ?? familyFromArn(task.taskDefinitionArn);
      running.push({ cluster, ...(service ? { service } : {}), family, taskId: task.taskId });
    }
    targets.push(...resolved.targets);
    skipped.push(...resolved.skipped);
    failed.push(...resolved.failed);
    targetsByCluster.set(cluster, resolved.targets.length);
  }
  const [first, ...rest] = missing;
  if (first && missing.length === config.clusters.length) throw ClusterNotFoundError.ofAll([first, ...rest]);
  return { targets, skipped, failed, running, missingClusters: missing.map((m) => m.cluster ?? ''), discoveryFailed, targetsByCluster };
}

/** `arn:…:task-definition/api:42` → `api`. */
function familyFromArn(arn: string): string {
  const last = arn.slice(arn.lastIndexOf('/') + 1);
  return last.includes(':') ? last.slice(0, last.lastIndexOf(':')) : last;
}
