import { ECSServiceException, ListTasksCommand, type Task } from '@aws-sdk/client-ecs';
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { createDiscoveryCaches, discoverCluster, type DiscoveryDeps } from '../../src/discovery/fetcher';
import { isCandidateTaskDefinition, resolveTargets } from '../../src/discovery/targetResolver';
import { LIST_TASKS_MAX_PAGES } from '../../src/discovery/ports';
import { fakeCluster } from './fakeCluster';
import { describeTasksFixture, fixtureRules, instancesFixture } from './fixtures';

// A ListTasks that never ends (issue 8, item 4: a looping nextToken made 8,116 calls before the deadline).
const rules = fixtureRules();

function deps(fake: ReturnType<typeof fakeCluster>): DiscoveryDeps {
  return { ecs: fake.ecs, ec2: fake.ec2, caches: createDiscoveryCaches(), isCandidate: (td) => isCandidateTaskDefinition(td, rules) };
}

/** The fixture's running tasks, whose ARNs the fake's DescribeTasks knows. */
function fixtureArns(): string[] {
  return (describeTasksFixture().tasks ?? []).flatMap((t: Task) => (t.lastStatus === 'RUNNING' && t.taskArn ? [t.taskArn] : []));
}

describe('ListTasks and DescribeInstances listings that never end', () => {
  it('stops when ListTasks returns the same nextToken again, keeping the tasks it listed', async () => {
    // Prepare
    const fake = fakeCluster();
    const arns = fixtureArns();
    fake.ecsMock.on(ListTasksCommand).callsFake(() => ({ taskArns: arns, nextToken: 'same-token' }));

    // Act
    const snapshot = await discoverCluster('prod', deps(fake));

    // Assess
    expect(fake.ecsMock.commandCalls(ListTasksCommand)).toHaveLength(2);
    expect(snapshot.issues).toContainEqual({ target: 'prod', reason: 'ListTasks returned a repeated nextToken after 2 pages; listing stopped', stage: 'discovery', kind: 'incomplete' });
    expect(snapshot.tasks.map((t) => t.taskArn).sort()).toEqual([...arns].sort());
    expect(resolveTargets(snapshot, rules).targets.length).toBeGreaterThan(0);
  });

  it('stops when ListTasks cycles through tokens it returned before', async () => {
    // Prepare: A, B, C, A, ... never the same token twice in a row, which is all the SDK paginator checks for.
    const fake = fakeCluster();
    let call = 0;
    fake.ecsMock.on(ListTasksCommand).callsFake(() => ({ taskArns: [], nextToken: ['A', 'B', 'C'][call++ % 3] }));

    // Act
    const snapshot = await discoverCluster('prod', deps(fake));

    // Assess
    expect(fake.ecsMock.commandCalls(ListTasksCommand)).toHaveLength(4);
    expect(snapshot.issues).toEqual([{ target: 'prod', reason: 'ListTasks returned a repeated nextToken after 4 pages; listing stopped', stage: 'discovery', kind: 'incomplete' }]);
  });

  it('stops at the page cap when ListTasks keeps handing out new tokens', async () => {
    // Prepare
    const fake = fakeCluster();
    let call = 0;
    fake.ecsMock.on(ListTasksCommand).callsFake(() => ({ taskArns: [], nextToken: `token-${call++}` }));

    // Act
    const snapshot = await discoverCluster('prod', deps(fake));

    // Assess
    expect(fake.ecsMock.commandCalls(ListTasksCommand)).toHaveLength(LIST_TASKS_MAX_PAGES);
    expect(snapshot.issues).toEqual([
      { target: 'prod', reason: `ListTasks still had more after ${LIST_TASKS_MAX_PAGES} pages (the cap); listing stopped`, stage: 'discovery', kind: 'incomplete' },
    ]);
  });

  it('keeps the tasks of the pages it read when a later ListTasks page fails', async () => {
    // Prepare
    const fake = fakeCluster();
    const arns = fixtureArns();
    fake.ecsMock
      .on(ListTasksCommand)
      .callsFakeOnce(() => ({ taskArns: arns, nextToken: 'page-2' }))
      .rejects(new ECSServiceException({ name: 'ServerException', $fault: 'server', $metadata: {}, message: 'Service unavailable' }));

    // Act
    const snapshot = await discoverCluster('prod', deps(fake));

    // Assess
    expect(snapshot.tasks.map((t) => t.taskArn).sort()).toEqual([...arns].sort());
    expect(snapshot.issues).toContainEqual({
      target: 'prod',
      reason: `ListTasks failed (cluster prod): Service unavailable; listing stopped after ${arns.length} tasks`,
      stage: 'discovery',
      kind: 'error',
    });
  });

  it('stops when DescribeInstances returns the same NextToken again, keeping the instances it found', async () => {
    // Prepare
    const fake = fakeCluster();
    fake.ec2Mock.on(DescribeInstancesCommand).callsFake(() => ({ ...instancesFixture(), NextToken: 'same-token' }));

    // Act
    const snapshot = await discoverCluster('prod', deps(fake));

    // Assess
    expect(fake.ec2Mock.commandCalls(DescribeInstancesCommand)).toHaveLength(2);
    expect(snapshot.issues).toContainEqual({
      target: 'prod DescribeInstances batch 1/1',
      reason: 'DescribeInstances returned a repeated nextToken after 2 pages; listing stopped',
      stage: 'discovery',
      kind: 'incomplete',
    });
    expect(snapshot.instances.size).toBeGreaterThan(0);
    expect(resolveTargets(snapshot, rules).targets.some((t) => t.address.startsWith('127.'))).toBe(true);
  });
});
