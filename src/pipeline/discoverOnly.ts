import type { Config } from '../config/config';
import { discoverCluster } from '../discovery/fetcher';
import { isCandidateTaskDefinition, resolveTargets } from '../discovery/targetResolver';
import type { Issue, Target } from '../types';
import type { CollectorDeps } from './collect';

/** Step 1 of the cycle alone: the targets every configured cluster resolves to, and what was skipped. */
export async function discoverTargets(
  config: Config,
  deps: Pick<CollectorDeps, 'ecs' | 'ec2' | 'caches' | 'logger'>,
  signal?: AbortSignal,
): Promise<{ targets: Target[]; skipped: Issue[]; failed: Issue[] }> {
  const targets: Target[] = [];
  const skipped: Issue[] = [];
  const failed: Issue[] = [];
  for (const cluster of config.clusters) {
    const snapshot = await discoverCluster(cluster, {
      ecs: deps.ecs,
      // ssm mode scrapes 127.0.0.1 on the instance itself: no DescribeInstances, no route to the instances.
      ec2: config.scrapeMode === 'direct' ? deps.ec2 : undefined,
      caches: deps.caches,
      signal,
      isCandidate: (td) => isCandidateTaskDefinition(td, config.targetRules),
    });
    for (const issue of snapshot.issues) deps.logger.warn('discovery issue', { cluster, target: issue.target, reason: issue.reason });
    failed.push(...snapshot.issues);
    const resolved = resolveTargets(snapshot, config.targetRules, {
      hostAddress: config.scrapeMode === 'ssm' ? 'loopback' : 'privateIp',
    });
    targets.push(...resolved.targets);
    skipped.push(...resolved.skipped);
  }
  return { targets, skipped, failed };
}
