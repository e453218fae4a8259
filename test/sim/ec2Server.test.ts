import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient, ListTasksCommand } from '@aws-sdk/client-ecs';
import { standardScenario, startSimulation, type Simulation } from '../../sim';
import { ec2Client } from './clients';

describe('simulated EC2 endpoint (real EC2Client, ec2Query/XML)', () => {
  let sim: Simulation;
  let ec2: EC2Client;

  beforeAll(async () => {
    sim = await startSimulation({ ...standardScenario(), awsLatencyMs: 20 });
    ec2 = ec2Client(sim);
  });
  afterAll(async () => {
    ec2.destroy();
    await sim.stop();
  });
  beforeEach(() => sim.resetCalls());

  it('returns PrivateIpAddress for instance ids, parsed by the SDK from XML', async () => {
    // Prepare
    const ids = sim.instances().map((i) => i.instanceId);

    // Act
    const out = await ec2.send(new DescribeInstancesCommand({ InstanceIds: ids }));

    // Assess
    const found = (out.Reservations ?? []).flatMap((r) => r.Instances ?? []).map((i) => [i.InstanceId, i.PrivateIpAddress, i.State?.Name]);
    expect(found).toEqual([
      [ids[0], '127.0.1.1', 'running'],
      [ids[1], '127.0.1.2', 'running'],
      [ids[2], '127.0.1.3', 'running'],
    ]);
    expect(out.Reservations?.[0]?.OwnerId).toBe('111122223333');
  });

  it('filters by instance-id and leaves unknown ids out instead of failing', async () => {
    const id = sim.instances()[1]?.instanceId ?? '';
    const out = await ec2.send(
      new DescribeInstancesCommand({ Filters: [{ Name: 'instance-id', Values: [id, 'i-0ffffffffffffffff'] }] }),
    );
    expect(out.Reservations?.flatMap((r) => r.Instances ?? []).map((i) => i.PrivateIpAddress)).toEqual(['127.0.1.2']);
  });

  it('answers an unknown instance id with InvalidInstanceID.NotFound', async () => {
    await expect(ec2.send(new DescribeInstancesCommand({ InstanceIds: ['i-0123456789abcdef0'] }))).rejects.toMatchObject({
      name: 'InvalidInstanceID.NotFound',
      message: "The instance ID 'i-0123456789abcdef0' does not exist",
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('counts calls per action and delays each by awsLatencyMs', async () => {
    const started = Date.now();
    await ec2.send(new DescribeInstancesCommand({}));
    expect(Date.now() - started).toBeGreaterThanOrEqual(19);
    expect(sim.calls()).toEqual({ 'ec2:DescribeInstances': 1 });
  });

  it('returns an injected UnauthorizedOperation', async () => {
    sim.ec2.failNext('DescribeInstances', 'UnauthorizedOperation');
    await expect(ec2.send(new DescribeInstancesCommand({}))).rejects.toMatchObject({ name: 'UnauthorizedOperation' });
  });

  it('is reachable through AWS_ENDPOINT_URL_* alone, as the collector uses it', async () => {
    // Prepare
    const saved = { ...process.env };
    Object.assign(process.env, sim.env);
    const ecs = new ECSClient({});
    const plainEc2 = new EC2Client({});
    try {
      // Act
      const tasks = await ecs.send(new ListTasksCommand({ cluster: 'prod' }));
      const inst = await plainEc2.send(new DescribeInstancesCommand({ InstanceIds: [sim.instances()[0]?.instanceId ?? ''] }));

      // Assess
      expect(tasks.taskArns).toHaveLength(12);
      expect(inst.Reservations?.[0]?.Instances?.[0]?.PrivateIpAddress).toBe('127.0.1.1');
    } finally {
      ecs.destroy();
      plainEc2.destroy();
      process.env = saved;
    }
  });
});
