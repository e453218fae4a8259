/**
 * A fake ECS/EC2 account behind aws-sdk-client-mock, serving the fixtures with real page and batch limits,
 * `failures[]` for unknown ARNs and call counts, so tests drive the real adapters (the ecsobserver ecsmock idea).
 */
import {
  ClientException,
  DescribeContainerInstancesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  type DescribeContainerInstancesCommandInput,
  type DescribeTaskDefinitionCommandInput,
  type DescribeTasksCommandInput,
  type ListTasksCommandInput,
  type Task,
} from '@aws-sdk/client-ecs';
import { DescribeInstancesCommand, EC2Client, type DescribeInstancesCommandInput } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { createAwsEc2Port, type AwsEc2PortOptions } from '../../src/discovery/awsEc2';
import { createAwsEcsPort, type AwsEcsPortOptions } from '../../src/discovery/awsEcs';
import { containerInstancesFixture, describeTasksFixture, FIXTURE_FAMILIES, instancesFixture, taskDefinitionFixture } from './fixtures';

const LIST_PAGE_MAX = 100;
const DESCRIBE_MAX = 100;

/**
 * Builds the fake; `tasks` replaces the fixture's tasks (ListTasks lists every one of them); `ecs` and `ec2` are
 * passed to the adapters (a short call timeout, a page cap).
 */
export function fakeCluster(options: { tasks?: Task[]; ecs?: AwsEcsPortOptions; ec2?: AwsEc2PortOptions } = {}) {
  const tasks = options.tasks ?? describeTasksFixture().tasks ?? [];
  // ListTasks also returns an ARN DescribeTasks no longer knows: the fixture's `failures[]` MISSING case.
  const missing = (describeTasksFixture().failures ?? []).flatMap((f) => (f.arn ? [f.arn] : []));
  const listed = [...tasks.flatMap((t) => (t.taskArn ? [t.taskArn] : [])), ...(options.tasks ? [] : missing)];
  const ecsClient = new ECSClient({ region: 'eu-west-1' });
  const ec2Client = new EC2Client({ region: 'eu-west-1' });
  const ecsMock = mockClient(ecsClient);
  const ec2Mock = mockClient(ec2Client);

  // Logged here as well as in commandCalls, in the order the pages were asked for.
  const listCalls: { maxResults?: number; desiredStatus?: string; nextToken?: string }[] = [];
  ecsMock.on(ListTasksCommand).callsFake((input: ListTasksCommandInput) => {
    listCalls.push({ maxResults: input.maxResults, desiredStatus: input.desiredStatus, nextToken: input.nextToken });
    const size = Math.min(input.maxResults ?? LIST_PAGE_MAX, LIST_PAGE_MAX);
    const start = Number(input.nextToken ?? '0');
    const end = start + size;
    return { taskArns: listed.slice(start, end), ...(end < listed.length ? { nextToken: String(end) } : {}) };
  });
  ecsMock.on(DescribeTasksCommand).callsFake((input: DescribeTasksCommandInput) => {
    const arns = input.tasks ?? [];
    if (arns.length > DESCRIBE_MAX) throw new ClientException({ message: 'tasks can have at most 100 items.', $metadata: {} });
    return {
      tasks: arns.flatMap((arn) => tasks.filter((t) => t.taskArn === arn)),
      failures: arns.filter((arn) => !tasks.some((t) => t.taskArn === arn)).map((arn) => ({ arn, reason: 'MISSING' })),
    };
  });
  ecsMock.on(DescribeTaskDefinitionCommand).callsFake((input: DescribeTaskDefinitionCommandInput) => {
    const family = /task-definition\/([^:]+):/.exec(input.taskDefinition ?? '')?.[1] ?? '';
    if (!FIXTURE_FAMILIES.includes(family)) throw new ClientException({ message: 'Unable to describe task definition.', $metadata: {} });
    return taskDefinitionFixture(family);
  });
  const instances = containerInstancesFixture().containerInstances ?? [];
  ecsMock.on(DescribeContainerInstancesCommand).callsFake((input: DescribeContainerInstancesCommandInput) => {
    const arns = input.containerInstances ?? [];
    return {
      containerInstances: instances.filter((ci) => arns.includes(ci.containerInstanceArn ?? '')),
      failures: arns.filter((arn) => !instances.some((ci) => ci.containerInstanceArn === arn)).map((arn) => ({ arn, reason: 'MISSING' })),
    };
  });
  const reservations = instancesFixture().Reservations ?? [];
  ec2Mock.on(DescribeInstancesCommand).callsFake((input: DescribeInstancesCommandInput) => {
    const ids = input.Filters?.find((f) => f.Name === 'instance-id')?.Values ?? [];
    const wanted = reservations
      .map((r) => ({ ...r, Instances: (r.Instances ?? []).filter((i) => ids.includes(i.InstanceId ?? '')) }))
      .filter((r) => r.Instances.length > 0);
    return { Reservations: wanted };
  });

  return { ecsMock, ec2Mock, listCalls, ecs: createAwsEcsPort(ecsClient, options.ecs), ec2: createAwsEc2Port(ec2Client, options.ec2) };
}
