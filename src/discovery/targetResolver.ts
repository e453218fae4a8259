/**
 * Pure target resolution: a cluster snapshot × docker labels / TARGET_RULES → the targets to scrape and the
 * reasons the rest were skipped. No I/O, so the scheduled cycle, the refresh handler and the CLI's `discover`
 * table all share it. Containers with no label and no matching rule are ignored silently: most containers do not
 * serve metrics, and listing them would drown the reasons that matter.
 */
import type { Issue, Target } from '../types';
import { locate, type HostAddressMode } from './address';
import { decideEndpoint, isCandidateContainer } from './labels';
import type { ClusterSnapshot, EcsTask, TaskDefinition } from './model';
import type { TargetRule } from './rules';

/** Options of {@link resolveTargets}. */
export interface ResolveOptions {
  /** `privateIp` (default, direct scrape mode) or `loopback` (ssm mode: the scrape runs on the instance). */
  readonly hostAddress?: HostAddressMode;
  /** Resolve Fargate tasks to their ENI (their metrics can only go to a Mackerel service); default: skip them. */
  readonly fargate?: boolean;
}

/**
 * The resolver's answer: targets sorted by id, skips sorted by target. `failed`: containers that would be
 * targets but for a discovery call that failed (their record is missing): the entry carries that call's error.
 */
export interface ResolvedTargets {
  readonly targets: Target[];
  readonly skipped: Issue[];
  readonly failed: Issue[];
}

/** True when some container of the definition could become a target; the fetcher uses it to skip lookups. */
export function isCandidateTaskDefinition(td: TaskDefinition, rules: readonly TargetRule[]): boolean {
  return td.containers.some((c) => isCandidateContainer(td.family, c, rules));
}

/** `service:api` → `api`; `family:…` (standalone task) → undefined. */
export function serviceOf(task: EcsTask): string | undefined {
  const prefix = 'service:';
  return task.group?.startsWith(prefix) ? task.group.slice(prefix.length) : undefined;
}

function resolveTask(
  snapshot: ClusterSnapshot,
  task: EcsTask,
  td: TaskDefinition,
  rules: readonly TargetRule[],
  opts: { hostAddress: HostAddressMode; fargate: boolean },
  out: ResolvedTargets,
): void {
  const service = serviceOf(task);
  for (const def of td.containers) {
    const decision = decideEndpoint(td.family, def, rules);
    if (decision.kind === 'none') continue;
    const base = `${snapshot.cluster}/${task.taskId}/${def.name}`;
    if (decision.kind === 'invalid') {
      out.skipped.push({ target: decision.port === undefined ? base : `${base}:${decision.port}`, reason: decision.reason, stage: 'discovery', kind: 'label' });
      continue;
    }
    const { endpoint } = decision;
    const id = `${base}:${endpoint.port}`;
    const where = locate(snapshot, task, td, def.name, endpoint.port, opts.hostAddress, opts.fargate);
    if (!where.ok) {
      const cause = where.error.missing === undefined ? undefined : snapshot.lookupFailures?.get(where.error.missing);
      if (cause) out.failed.push({ target: id, reason: `${where.error.reason}: ${cause.reason}`, stage: 'discovery', kind: cause.kind });
      else out.skipped.push({ target: id, reason: where.error.reason, stage: 'discovery', kind: where.error.kind });
      continue;
    }
    out.targets.push({
      id,
      cluster: snapshot.cluster,
      ...(service ? { service } : {}),
      family: td.family,
      revision: td.revision,
      taskId: task.taskId,
      taskArn: task.taskArn,
      containerName: def.name,
      launchType: task.launchType,
      networkMode: where.value.networkMode,
      ...(where.value.ec2InstanceId ? { ec2InstanceId: where.value.ec2InstanceId } : {}),
      address: where.value.address,
      port: where.value.port,
      containerPort: endpoint.port,
      path: endpoint.path,
      format: endpoint.format,
      prefix: endpoint.prefix,
      ...(endpoint.include === undefined ? {} : { include: endpoint.include }),
      ...(endpoint.exclude === undefined ? {} : { exclude: endpoint.exclude }),
      ...(endpoint.maxNames === undefined ? {} : { maxNames: endpoint.maxNames }),
    });
  }
}

/**
 * Resolves every RUNNING task of the snapshot. A task whose definition is missing (DescribeTaskDefinition
 * failed) is skipped with that reason; one bad container never affects its neighbours.
 */
export function resolveTargets(snapshot: ClusterSnapshot, rules: readonly TargetRule[], options: ResolveOptions = {}): ResolvedTargets {
  const out: ResolvedTargets = { targets: [], skipped: [], failed: [] };
  const hostAddress = options.hostAddress ?? 'privateIp';
  for (const task of snapshot.tasks) {
    const td = snapshot.taskDefinitions.get(task.taskDefinitionArn);
    if (!td) {
      const reason = `task definition ${task.taskDefinitionArn} was not described`;
      const cause = snapshot.lookupFailures?.get(task.taskDefinitionArn);
      if (cause) out.failed.push({ target: task.taskArn, reason: `${reason}: ${cause.reason}`, stage: 'discovery', kind: cause.kind });
      else out.skipped.push({ target: task.taskArn, reason, stage: 'discovery', kind: 'not-described' });
      continue;
    }
    resolveTask(snapshot, task, td, rules, { hostAddress, fargate: options.fargate ?? false }, out);
  }
  out.targets.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const byTarget = (a: Issue, b: Issue): number => (a.target < b.target ? -1 : a.target > b.target ? 1 : a.reason < b.reason ? -1 : a.reason > b.reason ? 1 : 0);
  out.skipped.sort(byTarget);
  out.failed.sort(byTarget);
  return out;
}
