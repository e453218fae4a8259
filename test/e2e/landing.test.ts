/**
 * Where values land in Mackerel after one real cycle against the simulated cluster: per instance host, per
 * task key, for every network mode.
 */
import type { Simulation } from '../../sim';
import type { CycleSummary } from '../../src/pipeline/collect';
import {
  collectorEnv,
  hostIdOf,
  landed,
  servedGostats,
  startInProcessCollector,
  startStandardSimulation,
  taskKey,
  taskOf,
  type InProcessCollector,
} from './harness';

describe('one cycle with METRIC_KEY=task (the default)', () => {
  let sim: Simulation;
  let collector: InProcessCollector;
  let summary: CycleSummary;

  beforeAll(async () => {
    sim = await startStandardSimulation();
    collector = startInProcessCollector(collectorEnv(sim));
    summary = await collector.cycle();
  });
  afterAll(async () => {
    collector.close();
    await sim.stop();
  });

  it('posts both api tasks of one instance to that instance host under their own task keys', () => {
    // Prepare
    const [a, b] = [taskOf(sim, 'api', 0), taskOf(sim, 'api', 1)];
    const hostId = sim.receiver.hostByInstance(a.instanceId ?? '')?.id;

    // Act
    const valuesA = landed(sim, `custom.gostats.${taskKey(a)}.runtime.goroutine_num`);
    const valuesB = landed(sim, `custom.gostats.${taskKey(b)}.runtime.goroutine_num`);

    // Assess
    expect(a.instanceId).toBe(b.instanceId);
    expect(a.hostPort).not.toBe(b.hostPort);
    expect(taskKey(a)).not.toBe(taskKey(b));
    expect(valuesA).toEqual([{ hostId, name: expect.any(String), time: expect.any(Number), value: servedGostats(sim, a, 'goroutine_num') }]);
    expect(valuesB).toEqual([{ hostId, name: expect.any(String), time: expect.any(Number), value: servedGostats(sim, b, 'goroutine_num') }]);
    expect(hostId).toEqual(expect.any(String));
  });

  it('stamps every value with the cycle time', () => {
    const now = Math.floor(Date.now() / 1000);
    const times = new Set(sim.receiver.posted().map((v) => v.time));
    expect(times.size).toBe(1);
    const [time] = [...times];
    expect(time).toBeGreaterThan(now - 30);
    expect(time).toBeLessThanOrEqual(now);
  });

  it('posts a bridge task scraped on its dynamic host port to the instance host (api)', () => {
    const api = taskOf(sim, 'api');
    const names = landed(sim, `custom.gostats.${taskKey(api)}.memory.memory_alloc`);
    expect(api).toMatchObject({ networkMode: 'bridge', containerPort: 8080 });
    expect(api.hostPort).not.toBe(8080);
    expect(names.map((v) => v.hostId)).toEqual([hostIdOf(sim, api)]);
  });

  it('posts a host-mode task with plugin text under its own prefix and the plugin names (worker)', () => {
    const worker = taskOf(sim, 'worker');
    const base = `custom.worker.${taskKey(worker)}`;
    const posted = sim.receiver.posted().filter((v) => v.name.startsWith(`${base}.`));
    expect(worker.networkMode).toBe('host');
    expect(posted.map((v) => v.name).sort()).toEqual(
      [`${base}.jobs.failed`, `${base}.jobs.processed`, `${base}.queue.depth`, `${base}.queue.oldest_age_seconds`].sort(),
    );
    expect(new Set(posted.map((v) => v.hostId))).toEqual(new Set([hostIdOf(sim, worker)]));
    // pluginTextSource starts at 1000-1999 processed jobs plus 10-99 per scrape, and 3 failed.
    const processed = posted.find((v) => v.name === `${base}.jobs.processed`)?.value ?? NaN;
    expect(processed).toBeGreaterThanOrEqual(1010);
    expect(processed).toBeLessThan(2100);
    expect(posted.find((v) => v.name === `${base}.jobs.failed`)?.value).toBeGreaterThanOrEqual(3);
  });

  it('posts an awsvpc task scraped on its ENI address to the instance host it runs on (queue)', () => {
    const queue = taskOf(sim, 'queue');
    const inFlight = landed(sim, `custom.prometheus.${taskKey(queue)}.http_requests_in_flight.value`);
    expect(queue).toMatchObject({ networkMode: 'awsvpc', address: '127.0.4.23', launchType: 'EC2' });
    expect(inFlight).toHaveLength(1);
    expect(inFlight[0]?.hostId).toBe(hostIdOf(sim, queue));
    // prometheusSource sets the gauge to an integer 0-7 on every scrape.
    expect(inFlight[0]?.value).toBeGreaterThanOrEqual(0);
    expect(inFlight[0]?.value).toBeLessThan(8);
  });

  it('posts the unlabelled batch task through its TARGET_RULES rule', () => {
    const batch = taskOf(sim, 'batch');
    const values = landed(sim, `custom.gostats.${taskKey(batch)}.runtime.goroutine_num`);
    expect(batch.group).toBe('family:batch');
    expect(values.map((v) => [v.hostId, v.value])).toEqual([[hostIdOf(sim, batch), servedGostats(sim, batch, 'goroutine_num')]]);
  });

  it('posts nothing for the unlabelled frontend, the Fargate task or the instance without a host', () => {
    const absent = ['frontend', 'edge', 'orphan'].map((f) => taskOf(sim, f).id.slice(0, 8));
    const names = sim.receiver.posted().map((v) => v.name);
    for (const id8 of absent) expect(names.filter((n) => n.includes(id8))).toEqual([]);
    expect(summary.posted).toBe(sim.receiver.posted().length);
  });
});

describe('one cycle with METRIC_KEY=port', () => {
  let sim: Simulation;
  let collector: InProcessCollector;

  beforeAll(async () => {
    sim = await startStandardSimulation();
    collector = startInProcessCollector(collectorEnv(sim, { METRIC_KEY: 'port' }));
    await collector.cycle();
  });
  afterAll(async () => {
    collector.close();
    await sim.stop();
  });

  it("gives the seed's exact names, custom.gostats.<hostPort>.runtime.goroutine_num", () => {
    // Prepare
    const gostats = ['api', 'batch'].flatMap((f) => sim.tasks().filter((t) => t.family === f));

    // Act
    const byName = new Map(sim.receiver.posted().map((v) => [v.name, v]));

    // Assess
    expect(gostats).toHaveLength(3);
    for (const task of gostats) {
      const value = byName.get(`custom.gostats.${task.hostPort}.runtime.goroutine_num`);
      expect(value).toEqual({ hostId: hostIdOf(sim, task), name: expect.any(String), time: expect.any(Number), value: servedGostats(sim, task, 'goroutine_num') });
    }
    expect([...byName.keys()].filter((n) => /\.[a-z]+-[0-9a-f]{8}\./.test(n))).toEqual([]);
  });
});
