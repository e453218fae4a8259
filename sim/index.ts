/**
 * The local simulation: ECS (JSON 1.1), EC2 (query/XML), a Mackerel API receiver and real sample services
 * on loopback. The collector reaches it only through `env` (the SDK's AWS_ENDPOINT_URL_* variables and
 * MACKEREL_API_BASE), exactly as it reaches AWS and Mackerel in production.
 */
import { mapLimit } from '../src/util/mapLimit';
import { AwsControl } from './awsControl';
import { SimWorld, type SimInstance } from './cluster';
import { SIM_REGION } from './ecsShapes';
import { startEc2Server } from './ec2Server';
import { startEcsServer } from './ecsServer';
import { SsmControl, startSsmServer } from './ssmServer';
import { SimEventLog, type SimTaskEvent } from './events';
import { assertFdBudget } from './fdLimit';
import { startMackerelReceiver, type MackerelReceiver } from './mackerelReceiver';
import { SampleServerPool } from './sampleServices';
import type { SimulationOptions, SimTask, TaskSpec } from './specs';
import { openTaskPorts, registerTask, taskAddress, type OpenedPorts } from './taskRunner';

export type { ClusterSpec, InstanceSpec, SampleKind, SimNetworkMode, SimTask, SimulationOptions, TaskSpec } from './specs';
export type { SimInstance } from './cluster';
export type { MackerelReceiver, RecordedRequest, InjectedFailure } from './mackerelReceiver';
export type { AwsControl } from './awsControl';
export type { SsmControl, SsmAgentState } from './ssmServer';
export { drainingEvent, duplicateEvent, olderEvent, type SimTaskEvent, type SimTaskEventDetail } from './events';
export { standardScenario, generatedScenario, type GeneratedScenarioOptions } from './scenarios';
export { ssmTargetOf } from './ssmTarget';

/** Default Mackerel API key of the receiver. */
export const SIM_API_KEY = 'sim-api-key';
/** Sockets bound concurrently while starting; keeps the accept queue and memory spikes small. */
const START_CONCURRENCY = 256;

/** A running simulation. */
export interface Simulation {
  /** Environment for the collector: AWS_REGION, fake credentials, endpoints, Mackerel, ECS_CLUSTERS, ALLOWED_CIDRS. */
  readonly env: Readonly<Record<string, string>>;
  readonly receiver: MackerelReceiver;
  /** Call counts, latency and error injection of the ECS endpoint (`ecs.failNext('ListTasks', 'AccessDeniedException')`). */
  readonly ecs: AwsControl;
  readonly ec2: AwsControl;
  /** SSM Run Command endpoint: call counts, error injection, agent state per instance (`ssm.setAgent(id, 'offline')`). */
  readonly ssm: SsmControl;
  /** AWS calls per action, e.g. `{"ecs:ListTasks": 3, "ec2:DescribeInstances": 1}`. */
  calls(): Record<string, number>;
  /** Zeroes the AWS call counts (and pending injected AWS errors). */
  resetCalls(): void;
  /** Every task started, stopped ones included, in start order. */
  tasks(): SimTask[];
  instances(): SimInstance[];
  /** Starts one more task in a cluster (as a deployment would). */
  startTask(cluster: string, spec: TaskSpec): Promise<SimTask>;
  /** Stops a task: STOPPED in ECS, its ports closed. Returns the stopped task, or undefined if not running. */
  stopTask(arn: string): Promise<SimTask | undefined>;
  /** ECS Task State Change events so far, oldest first: RUNNING per started task (initial ones too), STOPPED per stop. */
  events(): SimTaskEvent[];
  /** Closes every server and socket. */
  stop(): Promise<void>;
}

/** Generated EC2 instance id: `i-0` + 16 hex digits, stable per (cluster, instance) position. */
function instanceIdFor(clusterIndex: number, instanceIndex: number): string {
  return `i-0a51${(clusterIndex * 1_000_000 + instanceIndex).toString(16).padStart(13, '0')}`;
}

/** Starts the whole simulation; every address is on 127.0.0.0/8. */
export async function startSimulation(opts: SimulationOptions): Promise<Simulation> {
  const allTasks = opts.clusters.flatMap((c) => c.tasks.map((t) => ({ cluster: c.name, spec: t })));
  assertFdBudget(allTasks.reduce((n, t) => n + (t.spec.kind === 'refuse' ? 0 : 1) + (t.spec.sidecar ? 1 : 0), 0));
  const world = new SimWorld();
  const eventLog = new SimEventLog(world);
  const pool = new SampleServerPool(opts.targetLatencyMs ?? 0, opts.targetKeepAlive ?? false);
  const ecs = new AwsControl('ecs', opts.awsLatencyMs ?? 0);
  const ec2 = new AwsControl('ec2', opts.awsLatencyMs ?? 0);
  const ssm = new SsmControl(opts.awsLatencyMs ?? 0);
  const receiver = await startMackerelReceiver({ apiKey: opts.apiKey ?? SIM_API_KEY });
  const listenersByArn = new Map<string, OpenedPorts['listeners']>();
  const instancesOf = new Map<string, SimInstance[]>();
  let seed = 0;
  const closers: (() => Promise<void>)[] = [() => receiver.close(), () => pool.close()];
  try {
    opts.clusters.forEach((c, ci) => {
      world.addCluster(c.name);
      const list = c.instances.map((spec, ii) => {
        const inst = world.addInstance(c.name, spec.instanceId ?? instanceIdFor(ci, ii), spec.address, spec.mackerelHost ?? true);
        if (inst.mackerelHost) receiver.addHost(inst.instanceId, inst.address);
        return inst;
      });
      instancesOf.set(c.name, list);
    });
    const instanceFor = (cluster: string, spec: TaskSpec): SimInstance | undefined => {
      if ((spec.launchType ?? 'EC2') === 'FARGATE') {
        if (spec.networkMode !== 'awsvpc') throw new Error(`Fargate task ${spec.family} must use awsvpc`);
        return undefined;
      }
      const inst = instancesOf.get(cluster)?.[spec.instance ?? 0];
      if (!inst) throw new Error(`task ${spec.family}: cluster ${cluster} has no instance ${spec.instance ?? 0}`);
      return inst;
    };
    const opened = await mapLimit(allTasks, START_CONCURRENCY, (t) =>
      openTaskPorts(pool, t.spec, taskAddress(t.spec, instanceFor(t.cluster, t.spec)), seed++),
    );
    allTasks.forEach((t, i) => {
      const ports = opened[i] as OpenedPorts;
      const task = registerTask(world, t.cluster, instanceFor(t.cluster, t.spec), t.spec, ports);
      listenersByArn.set(task.arn, ports.listeners);
      eventLog.record(task);
    });
    const [ecsServer, ec2Server, ssmServer] = await Promise.all([
      startEcsServer(world, ecs),
      startEc2Server(world, ec2),
      startSsmServer((id) => world.ec2Instance(id)?.address, ssm),
    ]);
    closers.push(() => ecsServer.close(), () => ec2Server.close(), () => ssmServer.close());
    const env: Record<string, string> = {
      AWS_REGION: SIM_REGION,
      AWS_ACCESS_KEY_ID: 'AKIASIMULATOR0000000',
      AWS_SECRET_ACCESS_KEY: 'simulator-secret-access-key-not-real',
      AWS_EC2_METADATA_DISABLED: 'true',
      // Node 20 here, nodejs22.x on Lambda: the SDK's Node 20 end-of-support notice is noise in demo output.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      AWS_ENDPOINT_URL_ECS: ecsServer.url,
      AWS_ENDPOINT_URL_EC2: ec2Server.url,
      AWS_ENDPOINT_URL_SSM: ssmServer.url,
      MACKEREL_API_BASE: receiver.url,
      MACKEREL_API_KEY: receiver.apiKey,
      ECS_CLUSTERS: opts.clusters.map((c) => c.name).join(','),
      ALLOWED_CIDRS: '127.0.0.0/8',
    };
    return {
      env,
      receiver,
      ecs,
      ec2,
      ssm,
      calls: () => ({ ...ecs.calls(), ...ec2.calls(), ...ssm.calls() }),
      resetCalls: () => {
        ecs.reset();
        ec2.reset();
        ssm.reset();
      },
      tasks: () => world.tasks(),
      instances: () => world.allEc2Instances(),
      startTask: async (cluster, spec) => {
        if (!world.hasCluster(cluster)) throw new Error(`unknown cluster ${cluster}`);
        const instance = instanceFor(cluster, spec);
        const ports = await openTaskPorts(pool, spec, taskAddress(spec, instance), seed++);
        const task = registerTask(world, cluster, instance, spec, ports);
        listenersByArn.set(task.arn, ports.listeners);
        eventLog.record(task);
        return task;
      },
      stopTask: async (arn) => {
        const task = world.stopTask(arn);
        await Promise.all((listenersByArn.get(arn) ?? []).map((l) => l.close()));
        listenersByArn.delete(arn);
        if (task) eventLog.record(task);
        return task;
      },
      events: () => eventLog.events(),
      stop: () => closeAll(closers),
    };
  } catch (e) {
    await closeAll(closers);
    throw e;
  }
}

async function closeAll(closers: readonly (() => Promise<void>)[]): Promise<void> {
  await Promise.all(closers.map((c) => c()));
}
