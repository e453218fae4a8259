import { createConnection } from 'node:net';
import { generatedScenario, standardScenario, startSimulation, type Simulation, type SimTask } from '../../sim';

describe('standard scenario', () => {
  let sim: Simulation;
  const task = (family: string): SimTask => {
    const t = sim.tasks().find((x) => x.family === family);
    if (!t) throw new Error(`no task ${family}`);
    return t;
  };

  beforeAll(async () => {
    sim = await startSimulation(standardScenario());
  });
  afterAll(() => sim.stop());

  it('gives the collector its whole configuration through env', () => {
    expect(sim.env).toMatchObject({
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL_ECS: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      AWS_ENDPOINT_URL_EC2: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      MACKEREL_API_BASE: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      MACKEREL_API_KEY: 'sim-api-key',
      ECS_CLUSTERS: 'prod',
      ALLOWED_CIDRS: '127.0.0.0/8',
    });
  });

  it('runs 12 tasks on three instances, the third without a Mackerel host', () => {
    const [a, b, c] = sim.instances();
    expect(sim.tasks()).toHaveLength(12);
    expect([a?.address, b?.address, c?.address]).toEqual(['127.0.1.1', '127.0.1.2', '127.0.1.3']);
    expect(sim.receiver.hostByInstance(a?.instanceId ?? '')).toBeDefined();
    expect(sim.receiver.hostByInstance(c?.instanceId ?? '')).toBeUndefined();
    expect(task('orphan').instanceId).toBe(c?.instanceId);
  });

  it('runs two api tasks on one instance with different dynamic host ports for container port 8080', () => {
    const api = sim.tasks().filter((t) => t.service === 'api');
    expect(api).toHaveLength(2);
    expect(api[0]?.instanceId).toBe(api[1]?.instanceId);
    expect(api[0]?.hostPort).not.toBe(api[1]?.hostPort);
    expect(api.map((t) => t.containerPort)).toEqual([8080, 8080]);
    expect(api[0]?.labels).toEqual({ 'mackerel.metrics.port': '8080', 'mackerel.metrics.format': 'gostats' });
  });

  it('covers bridge, host, awsvpc on EC2 and Fargate', () => {
    const worker = task('worker');
    expect(worker.networkMode).toBe('host');
    expect(worker.hostPort).toBe(worker.containerPort);
    expect(worker.labels['mackerel.metrics.port']).toBe(String(worker.containerPort));
    const queue = task('queue');
    expect(queue).toMatchObject({ networkMode: 'awsvpc', launchType: 'EC2', address: '127.0.4.23', hostPort: queue.containerPort });
    expect(queue.labels).toEqual({ 'mackerel.metrics.port': String(queue.containerPort) });
    const edge = task('edge');
    expect(edge).toMatchObject({ networkMode: 'awsvpc', launchType: 'FARGATE', address: '127.0.4.24', instanceId: undefined });
    expect(edge.containerInstanceArn).toBeUndefined();
    expect(task('batch').group).toBe('family:batch');
    expect(task('batch').labels).toEqual({});
    expect(task('web').labels).toEqual({ ECS_PROMETHEUS_EXPORTER_PORT: '9100', ECS_PROMETHEUS_METRICS_PATH: '/internal/metrics' });
  });

  it('serves every healthy target at its address and port', async () => {
    const healthy = ['api', 'web', 'worker', 'queue', 'batch', 'orphan', 'edge'].map(task);
    const statuses = await Promise.all(
      healthy.map(async (t) => (await fetch(`http://${t.address}:${t.hostPort}${t.path}`, { signal: AbortSignal.timeout(2000) })).status),
    );
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200]);
  });
});

describe('simulation lifecycle', () => {
  it('closes every listening port on stop()', async () => {
    // Prepare
    const sim = await startSimulation(generatedScenario(30, { networkModes: ['bridge', 'host', 'awsvpc'] }));
    const t = sim.tasks()[0];
    const ecsUrl = new URL(sim.env.AWS_ENDPOINT_URL_ECS ?? '');

    // Act
    await sim.stop();

    // Assess
    const refused = (host: string, port: number): Promise<string> =>
      new Promise((resolve) => {
        const s = createConnection({ host, port });
        s.once('connect', () => {
          s.destroy();
          resolve('connected');
        });
        s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
      });
    expect(await refused(t?.address ?? '', t?.hostPort ?? 0)).toBe('ECONNREFUSED');
    expect(await refused(ecsUrl.hostname, Number(ecsUrl.port))).toBe('ECONNREFUSED');
  });

  it('runs two standard scenarios side by side without a port clash (parallel jest workers)', async () => {
    const [a, b] = await Promise.all([startSimulation(standardScenario()), startSimulation(standardScenario())]);
    try {
      const queues = [a, b].map((s) => s.tasks().find((t) => t.family === 'queue'));
      expect(queues.map((q) => q?.address)).toEqual(['127.0.4.23', '127.0.4.23']);
      expect(queues[0]?.hostPort).not.toBe(queues[1]?.hostPort);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it('refuses to start a scenario beyond the open-files limit', async () => {
    const { assertFdBudget } = await import('../../sim/fdLimit');
    expect(() => assertFdBudget(10_000, 4096)).toThrow(/open-files limit is 4096/);
    expect(() => assertFdBudget(10_000, 20_000)).not.toThrow();
  });
});
