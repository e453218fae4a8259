import { AccessDeniedException, DescribeTasksCommand, ListTasksCommand } from '@aws-sdk/client-ecs';
import { loadConfig, type Config } from '../../src/config/config';
import { createAwsEc2Port } from '../../src/discovery/awsEc2';
import { createAwsEcsPort } from '../../src/discovery/awsEcs';
import { AccessDeniedError, ClusterNotFoundError } from '../../src/discovery/errors';
import { createDiscoveryCaches } from '../../src/discovery/fetcher';
import type { Ec2Port, EcsPort } from '../../src/discovery/ports';
import { silentLogger } from '../../src/log';
import { discoverTargets } from '../../src/pipeline/discoverOnly';
import { standardScenario, startSimulation, type Simulation } from '../../sim';
import { ec2Client, ecsClient } from '../sim/clients';
import { fakeCluster } from './fakeCluster';

// Issue 8, item 6: one cluster that does not exist stopped every cluster.
function configFor(env: Readonly<Record<string, string>>, clusters: string): Config {
  const parsed = loadConfig({ ...env, ECS_CLUSTERS: clusters });
  if (!parsed.ok) throw parsed.error;
  return parsed.value;
}

function discover(config: Config, ports: { ecs: EcsPort; ec2: Ec2Port }) {
  return discoverTargets(config, { ...ports, caches: createDiscoveryCaches(), logger: silentLogger });
}

describe('discovering several clusters when one does not exist (simulator)', () => {
  let sim: Simulation;
  let ports: { ecs: EcsPort; ec2: Ec2Port };
  let clients: { destroy(): void }[];

  beforeAll(async () => {
    sim = await startSimulation(standardScenario());
    const ecs = ecsClient(sim);
    const ec2 = ec2Client(sim);
    clients = [ecs, ec2];
    ports = { ecs: createAwsEcsPort(ecs), ec2: createAwsEc2Port(ec2) };
  });
  afterAll(async () => {
    for (const c of clients) c.destroy();
    await sim.stop();
  });

  it('discovers the cluster that exists and reports the missing one by name', async () => {
    // Prepare
    const alone = await discover(configFor(sim.env, 'prod'), ports);

    // Act
    const both = await discover(configFor(sim.env, 'ghost,prod'), ports);

    // Assess
    expect(alone.targets.length).toBeGreaterThan(0);
    expect(both.targets).toEqual(alone.targets);
    expect(both.failed).toEqual([
      ...alone.failed,
      { target: 'ghost', reason: 'cluster ghost not found (ListTasks): check ECS_CLUSTERS and AWS_REGION', stage: 'discovery', kind: 'not-found' },
    ]);
  });

  it('stops with ClusterNotFoundError naming every cluster when none of them exists', async () => {
    // Act
    const run = discover(configFor(sim.env, 'ghost,phantom'), ports);

    // Assess
    await expect(run).rejects.toBeInstanceOf(ClusterNotFoundError);
    await expect(run).rejects.toThrow('no configured cluster was found: ghost (ListTasks), phantom (ListTasks): check ECS_CLUSTERS and AWS_REGION');
  });

  it('keeps the message of the one configured cluster when it does not exist', async () => {
    await expect(discover(configFor(sim.env, 'ghost'), ports)).rejects.toThrow(
      'cluster ghost not found (ListTasks): check ECS_CLUSTERS and AWS_REGION',
    );
  });
});

describe('discovering several clusters when one does not exist (SDK mock)', () => {
  const env = { ECS_CLUSTERS: 'prod', MACKEREL_API_KEY: 'fake-key', ALLOWED_CIDRS: '127.0.0.0/8' };

  it('treats a DescribeTasks failure MISSING for the cluster itself as a missing cluster', async () => {
    // Prepare: ListTasks still answers, DescribeTasks reports the cluster as MISSING instead of throwing.
    const fake = fakeCluster();
    fake.ecsMock
      .on(DescribeTasksCommand, { cluster: 'gone' })
      .resolves({ tasks: [], failures: [{ arn: 'arn:aws:ecs:eu-west-1:111122223333:cluster/gone', reason: 'MISSING' }] });

    // Act
    const result = await discover(configFor(env, 'prod,gone'), fake);

    // Assess
    expect(result.targets.length).toBeGreaterThan(0);
    expect(result.targets.every((t) => t.cluster === 'prod')).toBe(true);
    expect(result.failed).toContainEqual({ target: 'gone', reason: 'cluster gone not found (DescribeTasks): check ECS_CLUSTERS and AWS_REGION', stage: 'discovery', kind: 'not-found' });
  });

  it('still stops every cluster when ECS denies access to one of them', async () => {
    // Prepare
    const fake = fakeCluster();
    fake.ecsMock.on(ListTasksCommand, { cluster: 'locked' }).rejects(new AccessDeniedException({ message: 'User is not authorized', $metadata: {} }));

    // Act / Assess
    await expect(discover(configFor(env, 'prod,locked'), fake)).rejects.toBeInstanceOf(AccessDeniedError);
  });
});
