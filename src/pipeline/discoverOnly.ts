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
      ec2: deps.ec2,
      caches: deps.caches,
      signal,
      isCandidate: (td) => isCandidateTaskDefinition(td, config.targetRules),
    });
    for (const issue of snapshot.issues) deps.logger.warn('discovery issue', { cluster, target: issue.target, reason: issue.reason });
    failed.push(...snapshot.issues);
    const resolved = resolveTargets(snapshot, config.targetRules);
    targets.push(...resolved.targets);
    skipped.push(...resolved.skipped);
  }
  return { targets, skipped, failed };
}
