/**
 * The simulated AWS state: clusters, container instances, EC2 instances, task definitions and tasks. The ECS
 * and EC2 servers read it; `startSimulation` writes it. Task JSON is serialised once when a task starts or
 * stops, so DescribeTasks only concatenates strings (cheap at 10,000 tasks).
 */
import {
  containerInstanceArn,
  containerInstanceShape,
  hexId,
  taskDefinitionShape,
  taskShape,
  type ContainerShape,
  type TaskShapeInput,
} from './ecsShapes';
import type { SimNetworkMode, SimTask } from './specs';

/** A container instance with its EC2 instance. */
export interface SimInstance {
  readonly cluster: string;
  readonly instanceId: string;
  readonly address: string;
  readonly containerInstanceArn: string;
  readonly mackerelHost: boolean;
}

interface TaskRecord {
  task: SimTask;
  shape: TaskShapeInput;
  tags: Readonly<Record<string, string>>;
  json: string;
  jsonWithTags: string;
}

interface ClusterState {
  readonly name: string;
  readonly tasks: Map<string, TaskRecord>;
  readonly instances: Map<string, SimInstance>;
  running?: string[];
}

/** Filters of ListTasks the simulator honours. */
export interface TaskFilter {
  readonly desiredStatus: 'RUNNING' | 'STOPPED';
  readonly family?: string;
  readonly serviceName?: string;
  readonly containerInstance?: string;
  readonly launchType?: string;
  readonly startedBy?: string;
}

/** In-memory ECS + EC2 state shared by the simulated endpoints. */
export class SimWorld {
  private readonly clusters = new Map<string, ClusterState>();
  private readonly taskDefs = new Map<string, string>();
  private readonly revisions = new Map<string, Map<string, number>>();
  private readonly ec2 = new Map<string, SimInstance>();

  addCluster(name: string): void {
    if (!this.clusters.has(name)) this.clusters.set(name, { name, tasks: new Map(), instances: new Map() });
  }

  /** Looks a cluster up by name or ARN; `undefined` means ClusterNotFoundException. */
  hasCluster(nameOrArn: string): string | undefined {
    const name = nameOrArn.startsWith('arn:') ? nameOrArn.slice(nameOrArn.lastIndexOf('/') + 1) : nameOrArn;
    return this.clusters.has(name) ? name : undefined;
  }

  addInstance(cluster: string, instanceId: string, address: string, mackerelHost: boolean): SimInstance {
    const state = this.cluster(cluster);
    const inst: SimInstance = {
      cluster,
      instanceId,
      address,
      containerInstanceArn: containerInstanceArn(cluster, hexId()),
      mackerelHost,
    };
    state.instances.set(inst.containerInstanceArn, inst);
    this.ec2.set(instanceId, inst);
    return inst;
  }

  /** EC2 instances by id (DescribeInstances). */
  ec2Instance(instanceId: string): SimInstance | undefined {
    return this.ec2.get(instanceId);
  }

  allEc2Instances(): SimInstance[] {
    return [...this.ec2.values()];
  }

  /**
   * Registers a task definition, or returns the existing revision when an identical one exists (several
   * tasks of one service share a revision; host-mode tasks with different OS-picked ports get their own).
   */
  registerTaskDefinition(
    family: string,
    networkMode: SimNetworkMode,
    fargate: boolean,
    containers: readonly ContainerShape[],
  ): number {
    const key = JSON.stringify([networkMode, fargate, containers.map((c) => [c.name, c.containerPort, c.labels])]);
    let byKey = this.revisions.get(family);
    if (!byKey) this.revisions.set(family, (byKey = new Map()));
    const known = byKey.get(key);
    if (known !== undefined) return known;
    const revision = byKey.size + 1;
    byKey.set(key, revision);
    const body = JSON.stringify({
      taskDefinition: taskDefinitionShape(family, revision, networkMode, fargate, containers),
      tags: [],
    });
    this.taskDefs.set(`${family}:${revision}`, body);
    this.taskDefs.set(`${family}:latest`, body);
    return revision;
  }

  /** DescribeTaskDefinition response body for an ARN, `family:revision` or bare family (latest revision). */
  taskDefinitionJson(ref: string): string | undefined {
    const short = ref.startsWith('arn:') ? ref.slice(ref.indexOf('/') + 1) : ref;
    return this.taskDefs.get(short.includes(':') ? short : `${short}:latest`);
  }

  addTask(task: SimTask, shape: TaskShapeInput, tags: Readonly<Record<string, string>>): void {
    const state = this.cluster(task.cluster);
    const record: TaskRecord = { task, shape, tags, json: '', jsonWithTags: '' };
    render(record);
    state.tasks.set(task.arn, record);
    state.running = undefined;
  }

  /** Marks a task STOPPED (it stays describable, as in ECS for at least an hour). */
  stopTask(arn: string): SimTask | undefined {
    for (const state of this.clusters.values()) {
      const record = state.tasks.get(arn);
      if (!record || record.task.lastStatus === 'STOPPED') continue;
      record.task = { ...record.task, lastStatus: 'STOPPED' };
      record.shape = { ...record.shape, stopped: true };
      render(record);
      state.running = undefined;
      return record.task;
    }
    return undefined;
  }

  /** Every task ever started, in start order. */
  tasks(): SimTask[] {
    return [...this.clusters.values()].flatMap((c) => [...c.tasks.values()].map((r) => r.task));
  }

  /** Task ARNs matching a ListTasks filter, in start order. */
  listTaskArns(cluster: string, f: TaskFilter): readonly string[] {
    const state = this.cluster(cluster);
    const simple = f.desiredStatus === 'RUNNING' && !f.family && !f.serviceName && !f.containerInstance && !f.launchType && !f.startedBy;
    if (simple && state.running) return state.running;
    const out: string[] = [];
    for (const { task, shape } of state.tasks.values()) {
      if (task.lastStatus !== f.desiredStatus) continue;
      if (f.family && task.family !== f.family) continue;
      if (f.serviceName && task.service !== f.serviceName) continue;
      if (f.launchType && task.launchType !== f.launchType) continue;
      if (f.startedBy && (task.service ? 'ecs-svc/1234567890123456789' : '') !== f.startedBy) continue;
      if (f.containerInstance && !sameResource(shape.containerInstanceArn, f.containerInstance)) continue;
      out.push(task.arn);
    }
    if (simple) state.running = out;
    return out;
  }

  /** Serialised task (with or without tags) or undefined when the ARN/id is unknown in the cluster. */
  taskJson(cluster: string, ref: string, withTags: boolean): string | undefined {
    const state = this.cluster(cluster);
    const record = state.tasks.get(ref) ?? findBySuffix(state.tasks, ref);
    if (!record) return undefined;
    return withTags ? record.jsonWithTags : record.json;
  }

  /** Serialised container instance, or undefined when unknown in the cluster. */
  containerInstanceJson(cluster: string, ref: string): string | undefined {
    const state = this.cluster(cluster);
    const inst = state.instances.get(ref) ?? findBySuffix(state.instances, ref);
    if (!inst) return undefined;
    let running = 0;
    for (const r of state.tasks.values()) {
      if (r.task.lastStatus === 'RUNNING' && r.shape.containerInstanceArn === inst.containerInstanceArn) running++;
    }
    return JSON.stringify(containerInstanceShape(inst.containerInstanceArn, inst.instanceId, running));
  }

  private cluster(name: string): ClusterState {
    const state = this.clusters.get(name);
    if (!state) throw new Error(`unknown simulated cluster ${name}`);
    return state;
  }
}

function render(record: TaskRecord): void {
  const shape = taskShape(record.shape);
  record.json = JSON.stringify(shape);
  const tags = Object.entries(record.tags).map(([key, value]) => ({ key, value }));
  record.jsonWithTags = JSON.stringify({ ...shape, tags });
}

/** ECS accepts either the full ARN or the bare id for tasks and container instances. */
function findBySuffix<T>(map: Map<string, T>, ref: string): T | undefined {
  if (ref.startsWith('arn:') || ref.length === 0) return undefined;
  for (const [arn, value] of map) if (arn.endsWith(`/${ref}`)) return value;
  return undefined;
}

function sameResource(arn: string | undefined, ref: string): boolean {
  return arn !== undefined && (arn === ref || arn.endsWith(`/${ref}`));
}
