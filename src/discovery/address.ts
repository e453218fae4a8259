/**
 * Where to reach one container's metrics port, per launch type and network mode (DESIGN.md "How a target is
 * chosen", reference/ecs-api.md §2). Pure: reads the snapshot, never guesses; a missing piece is a reason.
 */
import { err, ok, type Result } from '../result';
import type { NetworkMode } from '../types';
import type { ClusterSnapshot, EcsTask, TaskDefinition } from './model';

/** How bridge/host targets are addressed. */
export type HostAddressMode =
  /** Direct scraping from the Lambda in the VPC: the EC2 instance's private IP (needs DescribeInstances). */
  | 'privateIp'
  /** ssm mode: the scrape runs on the instance itself, so 127.0.0.1 (no DescribeInstances). */
  | 'loopback';

/** Address, port and host of one target. */
export interface Location {
  readonly address: string;
  readonly port: number;
  readonly networkMode: NetworkMode;
  /** Absent for a Fargate task (scraped only when its metrics go to a Mackerel service). */
  readonly ec2InstanceId?: string;
}

/** Reason recorded for every candidate container of a Fargate task. */
export const FARGATE_REASON = 'Fargate task: no EC2 host to post to (set MACKEREL_SERVICE to post its metrics as service metrics)';

const LOOPBACK = '127.0.0.1';

/**
 * Why a container cannot be located: the readable reason, its `kind` for the summary's counts, and, when a record
 * is missing from the snapshot, its key (the resolver looks up whether a failed call explains it).
 */
export interface LocateFailure {
  readonly reason: string;
  readonly kind: string;
  readonly missing?: string;
}

const fail = (reason: string, kind: string, missing?: string): Result<never, LocateFailure> =>
  err(missing === undefined ? { reason, kind } : { reason, kind, missing });

function hostPortOf(task: EcsTask, td: TaskDefinition, containerName: string, containerPort: number): Result<number, LocateFailure> {
  if (td.networkMode === 'host') {
    // Host mode: the container binds the instance's port directly; hostPort is empty or equal to containerPort.
    const mapping = td.containers.find((c) => c.name === containerName)?.portMappings.find((p) => p.containerPort === containerPort);
    return ok(mapping?.hostPort ? mapping.hostPort : containerPort);
  }
  // Bridge: hostPort 0/absent in the definition means an ephemeral port; only the running task knows it.
  const container = task.containers.find((c) => c.name === containerName);
  if (!container) return fail(`container ${containerName} is not in the described task`, 'no-container');
  const binding = container.networkBindings.find((b) => b.containerPort === containerPort);
  return binding ? ok(binding.hostPort) : fail(`no host port for container port ${containerPort}`, 'no-port');
}

/** Locates `containerName:containerPort` of `task`, or says why it cannot be scraped. */
export function locate(
  snapshot: ClusterSnapshot,
  task: EcsTask,
  td: TaskDefinition,
  containerName: string,
  containerPort: number,
  hostAddress: HostAddressMode,
  fargate: boolean,
): Result<Location, LocateFailure> {
  if (task.launchType === 'FARGATE') {
    if (!fargate) return fail(FARGATE_REASON, 'fargate');
    // Fargate is always awsvpc: the task's ENI address and the container port.
    const address = task.eniAddress ?? task.containers.find((c) => c.name === containerName)?.privateIpv4Address;
    return address ? ok({ address, port: containerPort, networkMode: 'awsvpc' }) : fail('Fargate task has no ENI address yet', 'no-address');
  }
  if (task.launchType === 'EXTERNAL') return fail('ECS Anywhere (EXTERNAL) task: no EC2 instance to post to', 'external');
  const networkMode = td.networkMode;
  if (networkMode === 'none') return fail('network mode none: the task has no network to scrape', 'no-network');
  if (!task.containerInstanceArn) return fail('task has no container instance', 'no-instance');
  const ci = snapshot.containerInstances.get(task.containerInstanceArn);
  if (!ci) return fail(`container instance ${task.containerInstanceArn} was not described`, 'not-described', task.containerInstanceArn);
  const ec2InstanceId = ci.ec2InstanceId;

  if (networkMode === 'awsvpc') {
    // The task's own ENI; the container-level copy is a fallback for responses without attachments.
    const address = task.eniAddress ?? task.containers.find((c) => c.name === containerName)?.privateIpv4Address;
    if (!address) return fail('awsvpc task has no ENI address yet', 'no-address');
    return ok({ address, port: containerPort, networkMode, ec2InstanceId });
  }

  const port = hostPortOf(task, td, containerName, containerPort);
  if (!port.ok) return port;
  if (hostAddress === 'loopback') return ok({ address: LOOPBACK, port: port.value, networkMode, ec2InstanceId });
  const instance = snapshot.instances.get(ec2InstanceId);
  if (!instance) return fail(`EC2 instance ${ec2InstanceId} was not described`, 'not-described', ec2InstanceId);
  if (!instance.privateIp) return fail(`EC2 instance ${ec2InstanceId} has no private IP`, 'no-address');
  return ok({ address: instance.privateIp, port: port.value, networkMode, ec2InstanceId });
}
