/**
 * Pure mapping from ECS SDK v3 shapes (every field optional) to the discovery model. A record missing a field
 * we rely on becomes an Issue naming the field, never a `!`. Exported for the adapters and for tests that build
 * snapshots from captured API responses.
 */
import type {
  Container,
  ContainerDefinition,
  ContainerInstance as SdkContainerInstance,
  Failure,
  Task,
  TaskDefinition as SdkTaskDefinition,
} from '@aws-sdk/client-ecs';
import { err, ok, type Result } from '../result';
import type { Issue, LaunchType } from '../types';
import type { ContainerDefinitionInfo, ContainerInstance, EcsContainer, EcsTask, NetworkBindingInfo, TaskDefinition } from './model';

const LAUNCH_TYPES: ReadonlySet<string> = new Set<LaunchType>(['EC2', 'FARGATE', 'EXTERNAL']);
const NETWORK_MODES: ReadonlySet<string> = new Set(['bridge', 'host', 'awsvpc', 'none']);
/** Attachment type in DescribeTasks; task state change events spell it `eni`. */
const ENI_ATTACHMENT_TYPES: ReadonlySet<string> = new Set(['ElasticNetworkInterface', 'eni']);

/** Last `/`-separated segment of an ARN: the task id in both ARN formats. */
export function arnId(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

/** One entry of an ECS `failures[]` as an Issue (ECS reports e.g. `MISSING` for an unknown ARN). */
export function mapFailure(action: string, f: Failure): Issue {
  const detail = f.detail ? ` (${f.detail})` : '';
  const kind = f.reason === 'MISSING' ? 'missing' : 'ecs-failure';
  return { target: f.arn ?? '(no arn)', reason: `${action} failure: ${f.reason ?? 'no reason given'}${detail}`, stage: 'discovery', kind };
}

/** TCP ports are 1..65535; `hostPort: 0` in a definition means "ephemeral", but a running binding has a real one. */
export const MIN_PORT = 1;
export const MAX_PORT = 65_535;

/** Whether `n` can be a TCP port a running task listens on. */
export function isPort(n: number): boolean {
  return Number.isInteger(n) && n >= MIN_PORT && n <= MAX_PORT;
}

/**
 * The container's bindings, deduplicated on `hostPort`, and why the others were left out. A binding whose
 * ports are not integers in 1..65535 never comes from ECS itself, but events can be forged or corrupted: kept, it
 * would become a target on a port that cannot exist and be written to the inventory, whose reader (and every
 * cold start after it) would then refuse the host's whole document.
 */
function mapBindings(c: Container): { bindings: NetworkBindingInfo[]; rejected: string[] } {
  const byHostPort = new Map<number, NetworkBindingInfo>();
  const rejected: string[] = [];
  for (const b of c.networkBindings ?? []) {
    // Port-range bindings carry containerPortRange/hostPortRange instead; they cannot be a metrics port.
    if (typeof b.containerPort !== 'number' || typeof b.hostPort !== 'number') continue;
    const bad = [['containerPort', b.containerPort] as const, ['hostPort', b.hostPort] as const].filter(([, n]) => !isPort(n));
    if (bad.length > 0) {
      const what = bad.map(([field, n]) => `${field} ${n}`).join(' and ');
      rejected.push(`container ${c.name ?? '(no name)'}: network binding ignored, ${what} is not a port (an integer in ${MIN_PORT}..${MAX_PORT})`);
      continue;
    }
    if (!byHostPort.has(b.hostPort)) byHostPort.set(b.hostPort, { containerPort: b.containerPort, hostPort: b.hostPort });
  }
  return { bindings: [...byHostPort.values()], rejected };
}

function mapContainer(c: Container): Result<{ container: EcsContainer; rejected: string[] }, string> {
  if (!c.name) return err('a container without name');
  const ip = c.networkInterfaces?.find((n) => n.privateIpv4Address)?.privateIpv4Address;
  const { bindings, rejected } = mapBindings(c);
  return ok({ container: { name: c.name, networkBindings: bindings, ...(ip ? { privateIpv4Address: ip } : {}) }, rejected });
}

function eniAddress(t: Task): string | undefined {
  for (const a of t.attachments ?? []) {
    if (!a.type || !ENI_ATTACHMENT_TYPES.has(a.type)) continue;
    const ip = a.details?.find((d) => d.name === 'privateIPv4Address')?.value;
    if (ip) return ip;
  }
  return undefined;
}

function launchTypeOf(t: Task): Result<LaunchType, string> {
  // Tasks placed by a capacity provider report launchType too; fall back on the container instance just in case.
  const lt = t.launchType ?? (t.containerInstanceArn ? 'EC2' : undefined);
  if (lt === undefined) return err('a task without launchType');
  if (!LAUNCH_TYPES.has(lt)) return err(`a task with unsupported launchType "${lt}"`);
  return ok(lt as LaunchType);
}

/** A mapped task and what was left out of it (each a reason naming the task), for the caller to report. */
export interface MappedTask {
  readonly task: EcsTask;
  readonly skipped: readonly Issue[];
}

/** Maps one DescribeTasks task, or says which field is missing; bindings that are not ports are dropped. */
export function mapTask(t: Task): Result<EcsTask, Issue> {
  const mapped = mapTaskReporting(t);
  return mapped.ok ? ok(mapped.value.task) : mapped;
}

/**
 * {@link mapTask}, also saying what it left out: network bindings whose ports are not integers in 1..65535.
 * Shared by DescribeTasks and task state change events, so both drop the same bindings for the same reason.
 */
export function mapTaskReporting(t: Task): Result<MappedTask, Issue> {
  const fail = (what: string): Result<never, Issue> => err({ target: t.taskArn ?? '(no taskArn)', reason: `DescribeTasks returned ${what}`, stage: 'discovery', kind: 'malformed' });
  if (!t.taskArn) return fail('a task without taskArn');
  if (!t.taskDefinitionArn) return fail('a task without taskDefinitionArn');
  if (!t.lastStatus) return fail('a task without lastStatus');
  const launchType = launchTypeOf(t);
  if (!launchType.ok) return fail(launchType.error);
  const containers: EcsContainer[] = [];
  const skipped: Issue[] = [];
  for (const c of t.containers ?? []) {
    const mapped = mapContainer(c);
    if (!mapped.ok) return fail(mapped.error);
    containers.push(mapped.value.container);
    for (const reason of mapped.value.rejected) skipped.push({ target: t.taskArn, reason, stage: 'discovery', kind: 'port' });
  }
  const tags: Record<string, string> = {};
  for (const tag of t.tags ?? []) if (tag.key) tags[tag.key] = tag.value ?? '';
  const eni = eniAddress(t);
  const task: EcsTask = {
    taskArn: t.taskArn,
    taskId: arnId(t.taskArn),
    taskDefinitionArn: t.taskDefinitionArn,
    lastStatus: t.lastStatus,
    launchType: launchType.value,
    tags,
    containers,
    ...(t.clusterArn ? { clusterArn: t.clusterArn } : {}),
    ...(t.containerInstanceArn ? { containerInstanceArn: t.containerInstanceArn } : {}),
    ...(t.desiredStatus ? { desiredStatus: t.desiredStatus } : {}),
    ...(t.group ? { group: t.group } : {}),
    ...(eni ? { eniAddress: eni } : {}),
  };
  return ok({ task, skipped });
}

function mapContainerDefinition(c: ContainerDefinition): Result<ContainerDefinitionInfo, string> {
  if (!c.name) return err('a container definition without name');
  const portMappings = (c.portMappings ?? []).flatMap((p) =>
    typeof p.containerPort === 'number'
      ? [{ containerPort: p.containerPort, ...(typeof p.hostPort === 'number' ? { hostPort: p.hostPort } : {}) }]
      : [],
  );
  return ok({ name: c.name, portMappings, dockerLabels: { ...c.dockerLabels } });
}

/** Maps a DescribeTaskDefinition answer, or says what is missing. */
export function mapTaskDefinition(td: SdkTaskDefinition | undefined): Result<TaskDefinition, string> {
  if (!td) return err('DescribeTaskDefinition returned no taskDefinition');
  const { taskDefinitionArn: arn, family, revision } = td;
  if (!arn) return err('DescribeTaskDefinition returned a task definition without taskDefinitionArn');
  if (!family) return err(`DescribeTaskDefinition returned ${arn} without family`);
  if (typeof revision !== 'number') return err(`DescribeTaskDefinition returned ${arn} without revision`);
  // Absent networkMode on EC2 Linux is docker's default bridge network (API_TaskDefinition.html#networkMode).
  const networkMode = td.networkMode ?? 'bridge';
  if (!NETWORK_MODES.has(networkMode)) return err(`${arn} has unknown networkMode "${networkMode}"`);
  const containers: ContainerDefinitionInfo[] = [];
  for (const c of td.containerDefinitions ?? []) {
    const mapped = mapContainerDefinition(c);
    if (!mapped.ok) return err(`DescribeTaskDefinition returned ${arn} with ${mapped.error}`);
    containers.push(mapped.value);
  }
  return ok({ arn, family, revision, networkMode: networkMode as TaskDefinition['networkMode'], containers });
}

/** Maps one DescribeContainerInstances record; ECS Anywhere instances have no ec2InstanceId. */
export function mapContainerInstance(ci: SdkContainerInstance): Result<ContainerInstance, Issue> {
  const target = ci.containerInstanceArn ?? '(no containerInstanceArn)';
  if (!ci.containerInstanceArn) return err({ target, reason: 'DescribeContainerInstances returned an instance without containerInstanceArn', stage: 'discovery', kind: 'malformed' });
  if (!ci.ec2InstanceId) return err({ target, reason: 'DescribeContainerInstances returned an instance without ec2InstanceId', stage: 'discovery', kind: 'malformed' });
  return ok({ arn: ci.containerInstanceArn, ec2InstanceId: ci.ec2InstanceId });
}
