import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { loadConfig, type Config } from '../../src/config/config';
import { createAwsEc2Port } from '../../src/discovery/awsEc2';
import { createAwsEcsPort } from '../../src/discovery/awsEcs';
import { createDiscoveryCaches } from '../../src/discovery/fetcher';
import { silentLogger } from '../../src/log';
import { discoverTargets } from '../../src/pipeline/discoverOnly';
import { standardScenario, startSimulation, type Simulation } from '../../sim';
import { closedPort, ec2Client, ecsClient } from '../sim/clients';

// Issue 9, item 5: with EC2 unreachable every target was "skipped: instance was not described"; the real cause
// (connection refused) was only in the log. With ECS unreachable, discover printed an empty table.


function configFor(env: Readonly<Record<string, string>>): Config {
  const parsed = loadConfig({ ...env, ECS_CLUSTERS: 'prod' });
  if (!parsed.ok) throw parsed.error;
  return parsed.value;
}

describe('discovery failures carry their root cause', () => {
  let sim: Simulation;
  let deadEndpoint: string;
  const clients: { destroy(): void }[] = [];

  beforeAll(async () => {
    sim = await startSimulation(standardScenario());
    deadEndpoint = `http://127.0.0.1:${await closedPort()}`;
  });
  afterAll(async () => {
    for (const c of clients) c.destroy();
    await sim.stop();
  });

  const credentials = () => ({ region: sim.env.AWS_REGION ?? 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, maxAttempts: 1 });

  it('fails the targets of an instance EC2 could not describe with the connection error, not as skipped', async () => {
    // Prepare
    const ecs = ecsClient(sim);
    const ec2 = new EC2Client({ ...credentials(), endpoint: deadEndpoint });
    clients.push(ecs, ec2);

    // Act
    const got = await discoverTargets(configFor(sim.env), { ecs: createAwsEcsPort(ecs), ec2: createAwsEc2Port(ec2), caches: createDiscoveryCaches(), logger: silentLogger });

    // Assess
    const notDescribed = got.failed.filter((f) => f.reason.includes('was not described'));
    expect(notDescribed.length).toBeGreaterThan(0);
    for (const f of notDescribed) {
      expect(f).toMatchObject({ stage: 'discovery', kind: 'refused' });
      expect(f.reason).toMatch(/EC2 instance i-\w+ was not described: DescribeInstances failed: .*ECONNREFUSED/);
    }
    expect(got.skipped.some((s) => s.reason.includes('was not described'))).toBe(false);
    expect(got.discoveryFailed).toEqual([]);
  });

  it('says discovery of a cluster failed entirely when ECS cannot be reached', async () => {
    // Prepare
    const ecs = new ECSClient({ ...credentials(), endpoint: deadEndpoint });
    const ec2 = ec2Client(sim);
    clients.push(ecs, ec2);

    // Act
    const got = await discoverTargets(configFor(sim.env), { ecs: createAwsEcsPort(ecs), ec2: createAwsEc2Port(ec2), caches: createDiscoveryCaches(), logger: silentLogger });

    // Assess
    expect(got.targets).toEqual([]);
    expect(got.discoveryFailed).toEqual(['prod']);
    expect(got.failed).toEqual([expect.objectContaining({ target: 'prod', stage: 'discovery', kind: 'refused', reason: expect.stringMatching(/^ListTasks failed \(cluster prod\): .*ECONNREFUSED/) })]);
  });
});
