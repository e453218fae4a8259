import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  AccessDeniedException,
  ClusterNotFoundException,
  DescribeContainerInstancesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  ECSServiceException,
  type Task,
} from '@aws-sdk/client-ecs';
import { DescribeInstancesCommand, EC2ServiceException } from '@aws-sdk/client-ec2';
import { CriticalError } from '../../src/errors';
import { AccessDeniedError, ClusterNotFoundError } from '../../src/discovery/errors';
import { createDiscoveryCaches, discoverCluster, type DiscoveryDeps } from '../../src/discovery/fetcher';
import { isCandidateTaskDefinition, resolveTargets } from '../../src/discovery/targetResolver';
import { fakeCluster } from './fakeCluster';
import { describeTasksFixture, FIXTURE_DIR, fixtureRules } from './fixtures';

const ARN = 'arn:aws:ecs:eu-west-1:111122223333';
const API_TD = `${ARN}:task-definition/api:42`;
const rules = fixtureRules();
const isCandidate = (td: Parameters<typeof isCandidateTaskDefinition>[0]) => isCandidateTaskDefinition(td, rules);

function deps(fake: ReturnType<typeof fakeCluster>, extra: Partial<DiscoveryDeps> = {}): DiscoveryDeps {
  return { ecs: fake.ecs, ec2: fake.ec2, caches: createDiscoveryCaches(), isCandidate, ...extra };
}

/** `n` running copies of the fixture's first task (bridge, service api), each with its own ARN. */
function manyTasks(n: number): Task[] {
  const template = describeTasksFixture().tasks?.[0];
  if (!template) throw new Error('fixture has no task');
  return Array.from({ length: n }, (_, i) => ({ ...template, taskArn: `${ARN}:task/prod/${i.toString(16).padStart(32, '0')}` }));
}

const throttled = () => new ECSServiceException({ name: 'ThrottlingException', $fault: 'client', $metadata: {}, message: 'Rate exceeded' });

const sortIssues = <T extends { target: string; reason: string }>(xs: readonly T[]): T[] =>
  [...xs].sort((a, b) => (a.target + a.reason).localeCompare(b.target + b.reason));

describe('discoverCluster with the AWS adapters', () => {
  it('discovers the fixture cluster and resolves exactly the golden targets', async () => {
    // Prepare
    const fake = fakeCluster();
    const golden = JSON.parse(readFileSync(path.join(FIXTURE_DIR, 'targets.expected.json'), 'utf8')) as { targets: unknown[]; skipped: { target: string }[] };
    const ghostTask = `${ARN}:task/prod/0cf1c0e2a9b8d4c7e8f90a1b2c3d4e5f`;

    // Act
    const snapshot = await discoverCluster('prod', deps(fake));

    // Assess
    // The golden file is the resolver alone; with the snapshot's lookup failures, the task whose definition the
    // call failed to describe is failed with that call's error instead of skipped as "not described".
    expect(resolveTargets(snapshot, rules)).toEqual({
      targets: golden.targets,
      skipped: golden.skipped.filter((s) => s.target !== ghostTask),
      failed: [
        {
          target: ghostTask,
          reason: `task definition ${ARN}:task-definition/ghost:9 was not described: DescribeTaskDefinition failed: Unable to describe task definition.`,
          stage: 'discovery',
          kind: 'error',
        },
      ],
    });
    expect(snapshot.tasks.map((t) => t.lastStatus)).not.toContain('STOPPED');
    expect(sortIssues(snapshot.issues)).toEqual([
      { target: `${ARN}:container-instance/prod/3d4e5f60718293041526d7e8f90a1b2c`, reason: 'DescribeContainerInstances failure: MISSING', stage: 'discovery', kind: 'missing' },
      { target: `${ARN}:task-definition/ghost:9`, reason: 'DescribeTaskDefinition failed: Unable to describe task definition.', stage: 'discovery', kind: 'error' },
      { target: `${ARN}:task/prod/0ef1c0e2a9b8d4c7e8f90a1b2c3d4e5f`, reason: 'DescribeTasks failure: MISSING', stage: 'discovery', kind: 'missing' },
      { target: 'i-0cc33dd44ee55ff66', reason: 'DescribeInstances did not return this instance (terminated?)', stage: 'discovery', kind: 'not-found' },
    ]);
  });

  it('pages through 250 running tasks and describes them in batches of at most 100', async () => {
    // Prepare
    const fake = fakeCluster({ tasks: manyTasks(250) });

    // Act
    const snapshot = await discoverCluster('prod', deps(fake));

    // Assess
    expect(fake.listCalls).toEqual([
      { maxResults: 100, desiredStatus: 'RUNNING', nextToken: undefined },
      { maxResults: 100, desiredStatus: 'RUNNING', nextToken: '100' },
      { maxResults: 100, desiredStatus: 'RUNNING', nextToken: '200' },
    ]);
    const describes = fake.ecsMock.commandCalls(DescribeTasksCommand).map((c) => c.args[0].input);
    expect(describes.map((i) => i.tasks?.length)).toEqual([100, 100, 50]);
    expect(describes.every((i) => i.include?.includes('TAGS'))).toBe(true);
    expect(snapshot.tasks).toHaveLength(250);
    expect(snapshot.issues).toEqual([]);
    expect(resolveTargets(snapshot, rules).targets).toHaveLength(500);
  });

  it('describes each task definition and instance once, and only retries what failed on the next cycle', async () => {
    // Prepare
    const fake = fakeCluster();
    const caches = createDiscoveryCaches();
    const count = () => ({
      taskDefinitions: fake.ecsMock.commandCalls(DescribeTaskDefinitionCommand).length,
      containerInstances: fake.ecsMock.commandCalls(DescribeContainerInstancesCommand).length,
      instances: fake.ec2Mock.commandCalls(DescribeInstancesCommand).length,
    });

    // Act
    await discoverCluster('prod', deps(fake, { caches }));
    const first = count();
    const second = await discoverCluster('prod', deps(fake, { caches }));

    // Assess: 9 families + the undescribable ghost, then the ghost alone again.
    expect(first).toEqual({ taskDefinitions: 10, containerInstances: 1, instances: 1 });
    expect(count()).toEqual({ taskDefinitions: 11, containerInstances: 2, instances: 2 });
    expect(fake.ecsMock.commandCalls(DescribeContainerInstancesCommand)[1]?.args[0].input.containerInstances).toEqual([
      `${ARN}:container-instance/prod/3d4e5f60718293041526d7e8f90a1b2c`,
    ]);
    expect(fake.ec2Mock.commandCalls(DescribeInstancesCommand)[1]?.args[0].input.Filters).toEqual([
      { Name: 'instance-id', Values: ['i-0cc33dd44ee55ff66'] },
    ]);
    expect(resolveTargets(second, rules).targets).toHaveLength(10);
  });

  it('describes on a warm cycle only the running tasks it has not described before', async () => {
    // Prepare
    const fake = fakeCluster();
    const caches = createDiscoveryCaches();
    const describedArns = () => fake.ecsMock.commandCalls(DescribeTasksCommand).flatMap((c) => c.args[0].input.tasks ?? []);
    const first = await discoverCluster('prod', deps(fake, { caches }));
    const afterFirst = describedArns().length;

    // Act
    const second = await discoverCluster('prod', deps(fake, { caches }));

    // Assess: the cycle still lists every task, but describes only the one that was not RUNNING (not cached).
    expect(fake.ecsMock.commandCalls(ListTasksCommand)).toHaveLength(2);
    const again = describedArns().slice(afterFirst);
    expect(again.length).toBeLessThan(afterFirst);
    for (const arn of again) expect(first.tasks.some((t) => t.taskArn === arn)).toBe(false);
    expect(second.tasks.map((t) => t.taskArn)).toEqual(first.tasks.map((t) => t.taskArn));
    expect(resolveTargets(second, rules)).toEqual(resolveTargets(first, rules));
  });

  it('asks EC2 with an instance-id filter and a page size, never with bare InstanceIds', async () => {
    // Prepare
    const fake = fakeCluster();

    // Act
    await discoverCluster('prod', deps(fake));

    // Assess
    const input = fake.ec2Mock.commandCalls(DescribeInstancesCommand)[0]?.args[0].input;
    expect(input?.InstanceIds).toBeUndefined();
    expect(input?.MaxResults).toBe(1000);
    expect(input?.Filters?.[0]?.Name).toBe('instance-id');
    expect([...(input?.Filters?.[0]?.Values ?? [])].sort()).toEqual(['i-0aa11bb22cc33dd44', 'i-0bb22cc33dd44ee55', 'i-0cc33dd44ee55ff66']);
  });

  it('looks up no host for tasks that no label or rule selects', async () => {
    // Prepare
    const fake = fakeCluster();

    // Act
    const snapshot = await discoverCluster('prod', deps(fake, { isCandidate: () => false }));

    // Assess
    expect(fake.ecsMock.commandCalls(DescribeContainerInstancesCommand)).toHaveLength(0);
    expect(fake.ec2Mock.commandCalls(DescribeInstancesCommand)).toHaveLength(0);
    expect(snapshot.taskDefinitions.size).toBe(9);
  });

  it('makes no DescribeInstances call in ssm mode and still resolves targets on the instance itself', async () => {
    // Prepare
    const fake = fakeCluster();

    // Act
    const snapshot = await discoverCluster('prod', deps(fake, { ec2: undefined }));
    const { targets } = resolveTargets(snapshot, rules, { hostAddress: 'loopback' });

    // Assess
    expect(fake.ec2Mock.commandCalls(DescribeInstancesCommand)).toHaveLength(0);
    expect(targets.find((t) => t.containerName === 'api')).toMatchObject({ address: '127.0.0.1', port: 32768 });
  });

  it('reports a task DescribeTasks returns without taskDefinitionArn and keeps the others', async () => {
    // Prepare
    const [good, bad] = manyTasks(2);
    if (!good || !bad) throw new Error('builder');
    const fake = fakeCluster({ tasks: [good, { ...bad, taskDefinitionArn: undefined }] });

    // Act
    const snapshot = await discoverCluster('prod', deps(fake));

    // Assess
    expect(snapshot.tasks.map((t) => t.taskArn)).toEqual([good.taskArn]);
    expect(snapshot.issues).toEqual([{ target: bad.taskArn, reason: 'DescribeTasks returned a task without taskDefinitionArn', stage: 'discovery', kind: 'malformed' }]);
  });

  it('fails only the tasks of a task definition that could not be described, with the error of the call', async () => {
    // Prepare
    const fake = fakeCluster();
    fake.ecsMock.on(DescribeTaskDefinitionCommand, { taskDefinition: API_TD }).rejects(throttled());

    // Act
    const snapshot = await discoverCluster('prod', deps(fake));
    const { targets, skipped, failed } = resolveTargets(snapshot, rules);

    // Assess
    expect(snapshot.issues).toContainEqual({ target: API_TD, reason: 'DescribeTaskDefinition failed: Rate exceeded', stage: 'discovery', kind: 'throttled' });
    expect(targets.some((t) => t.family === 'api')).toBe(false);
    expect(targets.map((t) => t.family)).toEqual(expect.arrayContaining(['worker', 'billing', 'gostats-app']));
    // The root cause (throttled), not "was not described", and failed rather than skipped: it may pass next cycle.
    const apiFailures = failed.filter((f) => f.reason === `task definition ${API_TD} was not described: DescribeTaskDefinition failed: Rate exceeded`);
    expect(apiFailures).toHaveLength(2);
    expect(apiFailures.every((f) => f.stage === 'discovery' && f.kind === 'throttled')).toBe(true);
    expect(skipped.some((s) => s.reason.startsWith(`task definition ${API_TD}`))).toBe(false);
  });

  it('reports a failed DescribeTasks batch and goes on with the other batches', async () => {
    // Prepare
    const tasks = manyTasks(150);
    const fake = fakeCluster({ tasks });
    const firstBatch = tasks.slice(0, 100).flatMap((t) => (t.taskArn ? [t.taskArn] : []));
    fake.ecsMock.on(DescribeTasksCommand, { tasks: firstBatch }).rejects(throttled());

    // Act
    const snapshot = await discoverCluster('prod', deps(fake, { concurrency: 1 }));

    // Assess
    expect(snapshot.tasks).toHaveLength(50);
    expect(snapshot.issues).toEqual([{ target: 'prod DescribeTasks batch 1/2', reason: 'DescribeTasks failed (cluster prod): Rate exceeded', stage: 'discovery', kind: 'throttled' }]);
  });

  it('stops the cycle with a critical AccessDeniedError when ECS denies ListTasks', async () => {
    // Prepare
    const fake = fakeCluster();
    fake.ecsMock.on(ListTasksCommand).rejects(new AccessDeniedException({ message: 'User is not authorized', $metadata: {} }));

    // Act
    const run = discoverCluster('prod', deps(fake));

    // Assess
    await expect(run).rejects.toBeInstanceOf(AccessDeniedError);
    await expect(run).rejects.toBeInstanceOf(CriticalError);
    await expect(run).rejects.toMatchObject({ cluster: 'prod', action: 'ListTasks' });
  });

  it('stops the cycle with ClusterNotFoundError for an unknown cluster', async () => {
    // Prepare
    const fake = fakeCluster();
    fake.ecsMock.on(ListTasksCommand).rejects(new ClusterNotFoundException({ message: 'Cluster not found.', $metadata: {} }));

    // Act / Assess
    await expect(discoverCluster('nope', deps(fake))).rejects.toThrow(ClusterNotFoundError);
  });

  it('stops the cycle when EC2 answers UnauthorizedOperation', async () => {
    // Prepare
    const fake = fakeCluster();
    fake.ec2Mock
      .on(DescribeInstancesCommand)
      .rejects(new EC2ServiceException({ name: 'UnauthorizedOperation', $fault: 'client', $metadata: {}, message: 'You are not authorized' }));

    // Act / Assess
    await expect(discoverCluster('prod', deps(fake))).rejects.toMatchObject({ name: 'AccessDeniedError', action: 'DescribeInstances' });
  });

  it('stops at once when the invocation deadline has already passed', async () => {
    // Prepare
    const fake = fakeCluster();
    const controller = new AbortController();
    controller.abort(new Error('deadline'));

    // Act / Assess
    await expect(discoverCluster('prod', deps(fake, { signal: controller.signal }))).rejects.toThrow('deadline');
    expect(fake.ecsMock.commandCalls(ListTasksCommand)).toHaveLength(0);
  });
});
