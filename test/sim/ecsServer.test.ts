import {
  DescribeContainerInstancesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  paginateListTasks,
} from '@aws-sdk/client-ecs';
import { generatedScenario, startSimulation, type Simulation } from '../../sim';
import { ecsClient } from './clients';

describe('simulated ECS endpoint (real ECSClient, JSON 1.1)', () => {
  let sim: Simulation;
  let ecs: ECSClient;

  beforeAll(async () => {
    sim = await startSimulation(generatedScenario(250, { cluster: 'bench', networkModes: ['bridge', 'awsvpc'] }));
    ecs = ecsClient(sim);
  });
  afterAll(async () => {
    ecs.destroy();
    await sim.stop();
  });
  beforeEach(() => sim.resetCalls());

  it('pages 250 running tasks over 3 ListTasks calls with nextToken', async () => {
    // Act
    const arns: string[] = [];
    for await (const page of paginateListTasks({ client: ecs }, { cluster: 'bench', desiredStatus: 'RUNNING' })) {
      arns.push(...(page.taskArns ?? []));
    }

    // Assess
    expect(arns).toHaveLength(250);
    expect(new Set(arns).size).toBe(250);
    expect(arns[0]).toMatch(/^arn:aws:ecs:us-east-1:111122223333:task\/bench\/[0-9a-f]{32}$/);
    expect(sim.calls()['ecs:ListTasks']).toBe(3);
  });

  it('honours maxResults and rejects more than 100', async () => {
    const page = await ecs.send(new ListTasksCommand({ cluster: 'bench', maxResults: 7 }));
    expect(page.taskArns).toHaveLength(7);
    expect(page.nextToken).toEqual(expect.any(String));
    await expect(ecs.send(new ListTasksCommand({ cluster: 'bench', maxResults: 101 }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
    });
  });

  it('describes tasks with tags, bindings and ENI attachments, and reports unknown ARNs as MISSING failures', async () => {
    // Prepare
    const arns = (await ecs.send(new ListTasksCommand({ cluster: 'bench' }))).taskArns ?? [];
    const unknown = 'arn:aws:ecs:us-east-1:111122223333:task/bench/00000000000000000000000000000000';

    // Act
    const out = await ecs.send(new DescribeTasksCommand({ cluster: 'bench', tasks: [...arns.slice(0, 99), unknown], include: ['TAGS'] }));

    // Assess
    expect(out.tasks).toHaveLength(99);
    expect(out.failures).toEqual([{ arn: unknown, reason: 'MISSING' }]);
    const bridge = out.tasks?.find((t) => t.attachments?.length === 0);
    const binding = bridge?.containers?.[0]?.networkBindings?.[0];
    expect(binding).toMatchObject({ bindIP: '0.0.0.0', containerPort: 8080, protocol: 'tcp' });
    expect(binding?.hostPort).toBeGreaterThan(1024);
    const awsvpc = out.tasks?.find((t) => (t.attachments?.length ?? 0) > 0);
    expect(awsvpc?.attachments?.[0]?.type).toBe('ElasticNetworkInterface');
    expect(awsvpc?.attachments?.[0]?.details).toContainEqual({ name: 'privateIPv4Address', value: expect.stringMatching(/^127\.\d+\./) });
    expect(awsvpc?.containers?.[0]?.networkInterfaces?.[0]?.privateIpv4Address).toMatch(/^127\./);
    expect(bridge?.group).toMatch(/^service:svc-/);
    expect(bridge?.tags).toEqual([]);
  });

  it('rejects DescribeTasks with more than 100 ARNs as InvalidParameterException', async () => {
    const arns = sim.tasks().slice(0, 101).map((t) => t.arn);
    await expect(ecs.send(new DescribeTasksCommand({ cluster: 'bench', tasks: arns }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('describes a task definition by ARN and by family:revision, with its docker labels', async () => {
    const task = sim.tasks()[0];
    const byArn = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: task?.taskDefinitionArn }));
    const byName = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: `${task?.family}:${task?.revision}` }));
    expect(byArn.taskDefinition?.containerDefinitions?.[0]?.dockerLabels).toEqual({
      'mackerel.metrics.port': '8080',
      'mackerel.metrics.format': 'gostats',
    });
    expect(byArn.taskDefinition?.containerDefinitions?.[0]?.portMappings).toEqual([{ containerPort: 8080, hostPort: 0, protocol: 'tcp' }]);
    expect(byName.taskDefinition?.taskDefinitionArn).toBe(task?.taskDefinitionArn);
    await expect(ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'nope:1' }))).rejects.toMatchObject({ name: 'ClientException' });
  });

  it('describes container instances with their EC2 instance id and reports unknown ones as failures', async () => {
    const task = sim.tasks()[0];
    const unknown = 'arn:aws:ecs:us-east-1:111122223333:container-instance/bench/ffffffffffffffffffffffffffffffff';
    const out = await ecs.send(
      new DescribeContainerInstancesCommand({ cluster: 'bench', containerInstances: [task?.containerInstanceArn ?? '', unknown] }),
    );
    expect(out.containerInstances?.[0]).toMatchObject({ ec2InstanceId: task?.instanceId, status: 'ACTIVE', runningTasksCount: 10 });
    expect(out.failures).toEqual([{ arn: unknown, reason: 'MISSING' }]);
  });

  it('answers an unknown cluster with ClusterNotFoundException', async () => {
    await expect(ecs.send(new ListTasksCommand({ cluster: 'staging' }))).rejects.toMatchObject({
      name: 'ClusterNotFoundException',
      message: 'Cluster not found.',
    });
  });

  it('returns an injected AccessDeniedException and then recovers', async () => {
    sim.ecs.failNext('DescribeTasks', 'AccessDeniedException');
    const arn = sim.tasks()[0]?.arn ?? '';
    await expect(ecs.send(new DescribeTasksCommand({ cluster: 'bench', tasks: [arn] }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
    const again = await ecs.send(new DescribeTasksCommand({ cluster: 'bench', tasks: [arn] }));
    expect(again.tasks).toHaveLength(1);
  });

  it('throttles once, and the SDK retry succeeds on the second call', async () => {
    sim.ecs.failNext('ListTasks', 'ThrottlingException', { times: 1 });
    const page = await ecs.send(new ListTasksCommand({ cluster: 'bench', maxResults: 5 }));
    expect(page.taskArns).toHaveLength(5);
    expect(sim.calls()['ecs:ListTasks']).toBe(2);
  });

  it('refuses a request without a SigV4 Authorization header', async () => {
    const res = await fetch(sim.env.AWS_ENDPOINT_URL_ECS ?? '', {
      method: 'POST',
      headers: { 'x-amz-target': 'AmazonEC2ContainerServiceV20141113.ListTasks', 'content-type': 'application/x-amz-json-1.1' },
      body: '{"cluster":"bench"}',
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ __type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' });
  });

  it('moves a stopped task out of the RUNNING list while DescribeTasks still shows it STOPPED', async () => {
    // Prepare
    const victim = sim.tasks()[5];
    const arn = victim?.arn ?? '';

    // Act
    await sim.stopTask(arn);

    // Assess
    const running: string[] = [];
    for await (const page of paginateListTasks({ client: ecs }, { cluster: 'bench' })) running.push(...(page.taskArns ?? []));
    expect(running).not.toContain(arn);
    const stopped = await ecs.send(new ListTasksCommand({ cluster: 'bench', desiredStatus: 'STOPPED' }));
    expect(stopped.taskArns).toEqual([arn]);
    const described = await ecs.send(new DescribeTasksCommand({ cluster: 'bench', tasks: [arn] }));
    expect(described.tasks?.[0]).toMatchObject({ lastStatus: 'STOPPED', desiredStatus: 'STOPPED' });
    await expect(fetch(`http://${victim?.address}:${victim?.hostPort}${victim?.path}`)).rejects.toThrow();
  });
});
