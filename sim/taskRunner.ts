/**
 * Turns a `TaskSpec` into a running task in two steps: `openTaskPorts` binds the sockets (async, run in
 * parallel for thousands of tasks) and `registerTask` records the task definition and the task in the world
 * (sync, in spec order, so revisions and ListTasks order are deterministic).
 */
import type { SimInstance, SimWorld } from './cluster';
import { hexId, taskArn, taskDefinitionArn, type ContainerShape } from './ecsShapes';
import { createEndpoint, defaultPath } from './sampleEndpoints';
import type { SampleListener, SampleServerPool } from './sampleServices';
import type { SimTask, TaskSpec } from './specs';

/** Default container port of a bridge-mode metrics container. */
export const DEFAULT_CONTAINER_PORT = 8080;
/** Container port of the optional `envoy` sidecar in bridge mode (Envoy's admin port). */
export const SIDECAR_PORT = 9901;

/** Sockets opened for one task, before it is registered. */
export interface OpenedPorts {
  readonly address: string;
  readonly containerPort: number;
  readonly hostPort: number;
  readonly sidecar?: { readonly containerPort: number; readonly hostPort: number };
  readonly listeners: readonly SampleListener[];
}

/** The address a task's endpoint binds: the ENI for awsvpc, else the instance's private IP. */
export function taskAddress(spec: TaskSpec, instance: SimInstance | undefined): string {
  if (spec.networkMode === 'awsvpc') {
    if (!spec.eniAddress) throw new Error(`awsvpc task ${spec.family} needs eniAddress`);
    return spec.eniAddress;
  }
  if (!instance) throw new Error(`${spec.networkMode} task ${spec.family} needs an instance`);
  return instance.address;
}

/**
 * Binds the task's ports. Bridge: an OS-chosen ephemeral port (the dynamic host port) for a fixed container
 * port. Host, and awsvpc without an explicit `containerPort`: an OS-chosen port that is also the container
 * port, so that simulations in parallel jest workers never collide on a fixed port. Awsvpc with a
 * `containerPort`: exactly that port on the ENI address.
 */
export async function openTaskPorts(
  pool: SampleServerPool,
  spec: TaskSpec,
  address: string,
  seed: number,
): Promise<OpenedPorts> {
  const listeners: SampleListener[] = [];
  const bridge = spec.networkMode === 'bridge';
  const fixedPort = spec.networkMode === 'awsvpc' ? spec.containerPort : undefined;
  let hostPort: number;
  if (spec.kind === 'refuse') {
    hostPort = fixedPort ?? (await pool.refusedPort(address));
  } else {
    const endpoint = createEndpoint(spec.kind, spec.path ?? defaultPath(spec.kind), seed);
    const listener = await pool.listen(address, fixedPort ?? 0, endpoint);
    listeners.push(listener);
    hostPort = listener.port;
  }
  const containerPort = bridge ? (spec.containerPort ?? DEFAULT_CONTAINER_PORT) : hostPort;
  let sidecar: OpenedPorts['sidecar'];
  if (spec.sidecar) {
    const l = await pool.listen(address, 0, createEndpoint('plain', '/', seed));
    listeners.push(l);
    sidecar = { containerPort: bridge ? SIDECAR_PORT : l.port, hostPort: l.port };
  }
  return { address, containerPort, hostPort, sidecar, listeners };
}

/** Registers the task definition and the RUNNING task; returns the task as tests see it. */
export function registerTask(
  world: SimWorld,
  cluster: string,
  instance: SimInstance | undefined,
  spec: TaskSpec,
  ports: OpenedPorts,
): SimTask {
  const launchType = spec.launchType ?? 'EC2';
  const container = spec.container ?? spec.family;
  const labels = Object.fromEntries(
    Object.entries(spec.labels ?? {}).map(([k, v]) => [k, v.split('{port}').join(String(ports.containerPort))]),
  );
  const dynamic = spec.networkMode === 'bridge';
  const shapes: ContainerShape[] = [
    {
      name: container,
      containerPort: ports.containerPort,
      definitionHostPort: dynamic ? 0 : ports.containerPort,
      hostPort: ports.hostPort,
      labels,
      duplicateBinding: spec.duplicateBinding ?? false,
    },
  ];
  if (ports.sidecar) {
    shapes.push({
      name: 'envoy',
      containerPort: ports.sidecar.containerPort,
      definitionHostPort: dynamic ? 0 : ports.sidecar.containerPort,
      hostPort: ports.sidecar.hostPort,
      labels: {},
      duplicateBinding: false,
    });
  }
  const revision = world.registerTaskDefinition(spec.family, spec.networkMode, launchType === 'FARGATE', shapes);
  const id = hexId();
  const arn = taskArn(cluster, id);
  const group = spec.service ? `service:${spec.service}` : `family:${spec.family}`;
  const onInstance = launchType === 'EC2' ? instance : undefined;
  const task: SimTask = {
    arn,
    id,
    cluster,
    family: spec.family,
    revision,
    taskDefinitionArn: taskDefinitionArn(spec.family, revision),
    service: spec.service,
    group,
    networkMode: spec.networkMode,
    launchType,
    instanceId: onInstance?.instanceId,
    containerInstanceArn: onInstance?.containerInstanceArn,
    container,
    kind: spec.kind,
    address: ports.address,
    containerPort: ports.containerPort,
    hostPort: ports.hostPort,
    path: spec.path ?? defaultPath(spec.kind),
    labels,
    lastStatus: 'RUNNING',
  };
  world.addTask(
    task,
    {
      arn,
      cluster,
      taskDefinitionArn: task.taskDefinitionArn,
      containerInstanceArn: task.containerInstanceArn,
      launchType,
      group,
      service: spec.service,
      networkMode: spec.networkMode,
      eniAddress: spec.networkMode === 'awsvpc' ? ports.address : undefined,
      containers: shapes,
      startedAt: Math.floor(Date.now() / 1000),
      stopped: false,
    },
    spec.tags ?? {},
  );
  return task;
}
