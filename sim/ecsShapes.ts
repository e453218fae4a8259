/**
 * ECS response objects in their JSON 1.1 wire shape (camelCase, timestamps as epoch seconds), following the
 * ECS API reference for Task, Container, NetworkBinding, Attachment, TaskDefinition and ContainerInstance.
 */
import { randomBytes } from 'node:crypto';
import type { SimNetworkMode } from './specs';

/** Region and account of every simulated ARN. */
export const SIM_REGION = 'us-east-1';
export const SIM_ACCOUNT = '111122223333';
const ARN_PREFIX = `arn:aws:ecs:${SIM_REGION}:${SIM_ACCOUNT}`;

/** `arn:aws:ecs:us-east-1:111122223333:cluster/<name>` */
export const clusterArn = (name: string): string => `${ARN_PREFIX}:cluster/${name}`;
/** Current (long) task ARN format: `…:task/<cluster>/<32 hex>`. */
export const taskArn = (cluster: string, id: string): string => `${ARN_PREFIX}:task/${cluster}/${id}`;
/** `…:container-instance/<cluster>/<32 hex>` */
export const containerInstanceArn = (cluster: string, id: string): string =>
  `${ARN_PREFIX}:container-instance/${cluster}/${id}`;
/** `…:task-definition/<family>:<revision>` */
export const taskDefinitionArn = (family: string, revision: number): string =>
  `${ARN_PREFIX}:task-definition/${family}:${revision}`;

/** 32 lowercase hex characters, the id format of current task and container-instance ARNs. */
export const hexId = (): string => randomBytes(16).toString('hex');

/** One container of a task definition as the simulator models it. */
export interface ContainerShape {
  readonly name: string;
  readonly containerPort: number;
  /** Host port in the definition: 0 (dynamic) for bridge, = containerPort for host/awsvpc. */
  readonly definitionHostPort: number;
  /** Host port actually bound (bridge: the dynamic port). */
  readonly hostPort: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly duplicateBinding: boolean;
}

/** Builds `DescribeTaskDefinition`'s `taskDefinition`. */
export function taskDefinitionShape(
  family: string,
  revision: number,
  networkMode: SimNetworkMode,
  fargate: boolean,
  containers: readonly ContainerShape[],
): Record<string, unknown> {
  return {
    taskDefinitionArn: taskDefinitionArn(family, revision),
    family,
    revision,
    networkMode,
    status: 'ACTIVE',
    requiresCompatibilities: [fargate ? 'FARGATE' : 'EC2'],
    compatibilities: fargate ? ['EC2', 'FARGATE'] : ['EC2'],
    cpu: '256',
    memory: '512',
    registeredAt: 1767225600,
    containerDefinitions: containers.map((c) => ({
      name: c.name,
      image: `111122223333.dkr.ecr.us-east-1.amazonaws.com/${c.name}:latest`,
      essential: true,
      portMappings: [{ containerPort: c.containerPort, hostPort: c.definitionHostPort, protocol: 'tcp' }],
      dockerLabels: c.labels,
    })),
  };
}

/** Inputs of one task object. */
export interface TaskShapeInput {
  readonly arn: string;
  readonly cluster: string;
  readonly taskDefinitionArn: string;
  readonly containerInstanceArn?: string;
  readonly launchType: 'EC2' | 'FARGATE';
  readonly group: string;
  readonly service?: string;
  readonly networkMode: SimNetworkMode;
  readonly eniAddress?: string;
  readonly containers: readonly ContainerShape[];
  readonly startedAt: number;
  readonly stopped: boolean;
}

/**
 * Builds one `Task`. Bridge/host tasks carry `networkBindings`; awsvpc tasks carry `networkInterfaces` and an
 * `ElasticNetworkInterface` attachment instead (note `privateIpv4Address` vs `privateIPv4Address`).
 */
export function taskShape(t: TaskShapeInput): Record<string, unknown> {
  const attachmentId = t.networkMode === 'awsvpc' ? uuidFrom(t.arn) : undefined;
  const status = t.stopped ? 'STOPPED' : 'RUNNING';
  const containers = t.containers.map((c) => ({
    containerArn: `${ARN_PREFIX}:container/${t.cluster}/${t.arn.slice(-32)}/${uuidFrom(t.arn + c.name)}`,
    taskArn: t.arn,
    name: c.name,
    image: `111122223333.dkr.ecr.us-east-1.amazonaws.com/${c.name}:latest`,
    lastStatus: status,
    ...(t.stopped ? { exitCode: 0 } : {}),
    networkBindings: t.networkMode === 'awsvpc' ? [] : bindings(c),
    networkInterfaces:
      attachmentId && t.eniAddress ? [{ attachmentId, privateIpv4Address: t.eniAddress }] : [],
    healthStatus: 'UNKNOWN',
  }));
  return {
    taskArn: t.arn,
    clusterArn: clusterArn(t.cluster),
    taskDefinitionArn: t.taskDefinitionArn,
    ...(t.containerInstanceArn ? { containerInstanceArn: t.containerInstanceArn } : {}),
    lastStatus: status,
    desiredStatus: status,
    launchType: t.launchType,
    ...(t.launchType === 'FARGATE' ? { platformVersion: '1.4.0', platformFamily: 'Linux' } : {}),
    group: t.group,
    ...(t.service ? { startedBy: 'ecs-svc/1234567890123456789' } : {}),
    availabilityZone: `${SIM_REGION}a`,
    connectivity: 'CONNECTED',
    cpu: '256',
    memory: '512',
    createdAt: t.startedAt - 5,
    startedAt: t.startedAt,
    ...(t.stopped ? { stoppedAt: Date.now() / 1000, stopCode: 'UserInitiated', stoppedReason: 'Task stopped by user' } : {}),
    version: t.stopped ? 4 : 2,
    attachments:
      attachmentId && t.eniAddress
        ? [
            {
              id: attachmentId,
              type: 'ElasticNetworkInterface',
              status: t.stopped ? 'DELETED' : 'ATTACHED',
              details: [
                { name: 'subnetId', value: 'subnet-0123456789abcdef0' },
                { name: 'networkInterfaceId', value: `eni-${attachmentId.replace(/-/g, '').slice(0, 17)}` },
                { name: 'macAddress', value: '0a:00:00:00:00:01' },
                { name: 'privateIPv4Address', value: t.eniAddress },
              ],
            },
          ]
        : [],
    containers,
  };
}

function bindings(c: ContainerShape): Record<string, unknown>[] {
  const first = { bindIP: '0.0.0.0', containerPort: c.containerPort, hostPort: c.hostPort, protocol: 'tcp' };
  // Dual-stack hosts report the same port again for "::" (see reference §1): collectors must dedupe on hostPort.
  return c.duplicateBinding ? [first, { ...first, bindIP: '::' }] : [first];
}

/** A stable UUID-shaped id derived from a string (attachment and container ids). */
function uuidFrom(seed: string): string {
  let h = 2166136261;
  const parts: string[] = [];
  for (let round = 0; round < 4; round++) {
    for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 16777619) >>> 0;
    h = Math.imul(h ^ round, 16777619) >>> 0;
    parts.push(h.toString(16).padStart(8, '0'));
  }
  const hex = parts.join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** Builds one `ContainerInstance` of `DescribeContainerInstances`. */
export function containerInstanceShape(
  arn: string,
  ec2InstanceId: string,
  runningTasksCount: number,
): Record<string, unknown> {
  return {
    containerInstanceArn: arn,
    ec2InstanceId,
    status: 'ACTIVE',
    agentConnected: true,
    runningTasksCount,
    pendingTasksCount: 0,
    versionInfo: { agentVersion: '1.89.0', dockerVersion: 'DockerVersion: 25.0.8' },
    attributes: [{ name: 'ecs.os-type', value: 'linux' }],
  };
}
