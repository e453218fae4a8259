/**
 * Simulated ECS endpoint speaking AWS JSON 1.1 (sim/awsJson.ts), the protocol @aws-sdk/client-ecs uses (checked
 * in its dist-cjs: `AwsJson1_1Protocol`), with `X-Amz-Target: AmazonEC2ContainerServiceV20141113.<Action>`.
 */
import type { AwsControl } from './awsControl';
import { AwsJsonError as EcsError, awsJsonHandler, type JsonInput as Input } from './awsJson';
import type { SimWorld, TaskFilter } from './cluster';
import { listenHttp, type RunningServer } from './httpServer';

/** ListTasks `maxResults` range and default (ECS API reference). */
const LIST_TASKS_MAX_RESULTS = 100;
/** DescribeTasks and DescribeContainerInstances take at most 100 ARNs per call. */
const DESCRIBE_MAX_ITEMS = 100;

type Action = (world: SimWorld, input: Input) => string;

const ACTIONS: Record<string, Action> = {
  ListTasks: listTasks,
  DescribeTasks: describeTasks,
  DescribeTaskDefinition: describeTaskDefinition,
  DescribeContainerInstances: describeContainerInstances,
};

/** Starts the ECS endpoint on 127.0.0.1 with an OS-chosen port. */
export function startEcsServer(world: SimWorld, control: AwsControl): Promise<RunningServer> {
  const actions = Object.fromEntries(Object.entries(ACTIONS).map(([name, run]) => [name, (input: Input) => run(world, input)]));
  return listenHttp(
    awsJsonHandler(
      {
        targetPrefix: 'AmazonEC2ContainerServiceV20141113.',
        actions,
        serverErrorCode: 'ServerException',
        notAnObjectMessage: 'Start of structure or map found where not expected.',
      },
      control,
    ),
  );
}

function clusterOf(world: SimWorld, input: Input): string {
  const ref = typeof input.cluster === 'string' ? input.cluster : 'default';
  const name = world.hasCluster(ref);
  if (!name) throw new EcsError('ClusterNotFoundException', 'Cluster not found.');
  return name;
}

function optString(input: Input, key: string): string | undefined {
  const v = input[key];
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

function stringList(input: Input, key: string, what: string): string[] {
  const v = input[key];
  if (!Array.isArray(v) || v.length === 0 || !v.every((x): x is string => typeof x === 'string')) {
    throw new EcsError('InvalidParameterException', `${what} cannot be empty.`);
  }
  if (v.length > DESCRIBE_MAX_ITEMS) {
    throw new EcsError('InvalidParameterException', `${what} can have at most ${DESCRIBE_MAX_ITEMS} items.`);
  }
  return v;
}

function listTasks(world: SimWorld, input: Input): string {
  const cluster = clusterOf(world, input);
  const desired = optString(input, 'desiredStatus') ?? 'RUNNING';
  if (!['RUNNING', 'PENDING', 'STOPPED'].includes(desired)) {
    throw new EcsError('InvalidParameterException', `Invalid desiredStatus: ${desired}`);
  }
  const max = input.maxResults ?? LIST_TASKS_MAX_RESULTS;
  if (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > LIST_TASKS_MAX_RESULTS) {
    throw new EcsError('InvalidParameterException', 'maxResults must be between 1 and 100.');
  }
  const filter: TaskFilter = {
    desiredStatus: desired === 'STOPPED' ? 'STOPPED' : 'RUNNING',
    family: optString(input, 'family'),
    serviceName: optString(input, 'serviceName'),
    containerInstance: optString(input, 'containerInstance'),
    launchType: optString(input, 'launchType'),
    startedBy: optString(input, 'startedBy'),
  };
  // PENDING never matches: the simulator starts tasks straight into RUNNING.
  const arns = desired === 'PENDING' ? [] : world.listTaskArns(cluster, filter);
  const offset = decodeToken(optString(input, 'nextToken'));
  const page = arns.slice(offset, offset + max);
  const next = offset + max < arns.length ? encodeToken(offset + max) : undefined;
  return JSON.stringify(next ? { taskArns: page, nextToken: next } : { taskArns: page });
}

/** Opaque page tokens, like ECS's; a token the simulator did not issue is rejected as ECS does. */
function encodeToken(offset: number): string {
  return Buffer.from(JSON.stringify({ sim: 'ListTasks', offset })).toString('base64');
}

function decodeToken(token: string | undefined): number {
  if (!token) return 0;
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { sim?: unknown; offset?: unknown };
    if (parsed.sim === 'ListTasks' && typeof parsed.offset === 'number') return parsed.offset;
  } catch {
    // reported below
  }
  throw new EcsError('InvalidParameterException', 'Invalid nextToken.');
}

function describeTasks(world: SimWorld, input: Input): string {
  const cluster = clusterOf(world, input);
  const refs = stringList(input, 'tasks', 'Tasks');
  const withTags = Array.isArray(input.include) && input.include.includes('TAGS');
  const found: string[] = [];
  const failures: { arn: string; reason: string }[] = [];
  for (const ref of refs) {
    const json = world.taskJson(cluster, ref, withTags);
    if (json) found.push(json);
    else failures.push({ arn: ref, reason: 'MISSING' });
  }
  return `{"tasks":[${found.join(',')}],"failures":${JSON.stringify(failures)}}`;
}

function describeTaskDefinition(world: SimWorld, input: Input): string {
  const ref = optString(input, 'taskDefinition');
  if (!ref) throw new EcsError('InvalidParameterException', 'Task Definition can not be blank.');
  const json = world.taskDefinitionJson(ref);
  if (!json) throw new EcsError('ClientException', 'Unable to describe task definition.');
  return json;
}

function describeContainerInstances(world: SimWorld, input: Input): string {
  const cluster = clusterOf(world, input);
  const refs = stringList(input, 'containerInstances', 'Container instances');
  const found: string[] = [];
  const failures: { arn: string; reason: string }[] = [];
  for (const ref of refs) {
    const json = world.containerInstanceJson(cluster, ref);
    if (json) found.push(json);
    else failures.push({ arn: ref, reason: 'MISSING' });
  }
  return `{"containerInstances":[${found.join(',')}],"failures":${JSON.stringify(failures)}}`;
}
