/**
 * MACKEREL_SERVICE=ecs end to end: per ECS service the running task count and, per metric, the sum and the
 * average across its tasks, posted to the Mackerel service; the Fargate task posts only there.
 */
import type { Simulation, SimTask } from '../../sim';
import { pluginTextSource } from '../../sim/sampleBodies';
import { createServiceMetricsClient } from '../../src/mackerel/serviceClient';
import type { CycleSummary } from '../../src/pipeline/collect';
import { collectorEnv, E2E_API_KEY, servedGostats, startStandardSimulation, taskOf } from './harness';
import { startCollector, type Collector } from './harness5';

const SERVICE_TSDB = '/api/v0/services/ecs/tsdb';

/** A field of the plugin text the task's sample service answered on its first request (sim seeds per start index). */
function servedPlugin(sim: Simulation, task: SimTask, name: string): number {
  const body = pluginTextSource(sim.tasks().findIndex((t) => t.arn === task.arn))();
  const line = body.split('\n').find((l) => l.startsWith(`${name}\t`));
  if (line === undefined) throw new Error(`plugin text without ${name}`);
  return Number(line.split('\t')[1]);
}

describe('service metrics of one cycle', () => {
  let sim: Simulation;
  let collector: Collector;
  let summary: CycleSummary;
  let metrics: Map<string, number>;

  beforeAll(async () => {
    sim = await startStandardSimulation();
    collector = startCollector(collectorEnv(sim, { MACKEREL_SERVICE: 'ecs', SCRAPE_TIMEOUT_MS: '100' }));
    summary = await collector.cycle();
    metrics = new Map(sim.receiver.serviceMetrics().map((m) => [`${m.service}:${m.name}`, m.value]));
  });
  afterAll(async () => {
    collector.close();
    await sim.stop();
  });

  it('posts ecs.prod.<service>.tasks.running with the running task count of each service (api = 2)', () => {
    // Act
    const running = [...metrics].filter(([name]) => name.endsWith('.tasks.running'));

    // Assess
    expect(Object.fromEntries(running)).toEqual({
      'ecs:ecs.prod.api.tasks.running': 2,
      'ecs:ecs.prod.web.tasks.running': 1,
      'ecs:ecs.prod.worker.tasks.running': 1,
      'ecs:ecs.prod.queue.tasks.running': 1,
      'ecs:ecs.prod.frontend.tasks.running': 1,
      'ecs:ecs.prod.family-batch.tasks.running': 1,
      'ecs:ecs.prod.legacy.tasks.running': 1,
      'ecs:ecs.prod.stuck.tasks.running': 1,
      'ecs:ecs.prod.garbled.tasks.running': 1,
      'ecs:ecs.prod.orphan.tasks.running': 1,
      'ecs:ecs.prod.edge.tasks.running': 1,
    });
    // The rest are the collector's own health figures (posted last, once the cycle's figures are known).
    const health = sim.receiver.serviceMetrics().filter((m) => m.name.startsWith('ecs-collector.'));
    expect(summary.serviceMetrics + (summary.healthMetrics ?? 0)).toBe(sim.receiver.serviceMetrics().length);
    expect(health).toHaveLength(summary.healthMetrics ?? -1);
  });

  it('posts the cycle\'s health figures as ecs-collector.<cluster>.* with the summary\'s values', () => {
    // Assess
    const prod = summary.byCluster.prod;
    expect(metrics.get('ecs:ecs-collector.prod.targets')).toBe(prod?.targets);
    expect(metrics.get('ecs:ecs-collector.prod.scraped')).toBe(prod?.scraped);
    expect(metrics.get('ecs:ecs-collector.prod.failed')).toBe(prod?.failed);
    expect(metrics.get('ecs:ecs-collector.prod.failed_ratio')).toBeCloseTo((prod?.failed ?? 0) / (prod?.targets ?? 1), 10);
    expect(metrics.get('ecs:ecs-collector.prod.posted')).toBe(summary.posted);
  });

  it('posts the exact sum and average of the two api tasks\' goroutines', () => {
    // Prepare
    const served = [taskOf(sim, 'api', 0), taskOf(sim, 'api', 1)].map((t) => servedGostats(sim, t, 'goroutine_num'));
    const sum = (served[0] ?? NaN) + (served[1] ?? NaN);

    // Act
    const base = 'ecs:ecs.prod.api.gostats.runtime.goroutine_num';

    // Assess
    expect([metrics.get(`${base}.sum`), metrics.get(`${base}.avg`)]).toEqual([sum, sum / 2]);
  });

  it('posts the worker\'s plugin values as sum and average of its one task', () => {
    // Prepare
    const depth = servedPlugin(sim, taskOf(sim, 'worker'), 'queue.depth');

    // Act
    const base = 'ecs:ecs.prod.worker.worker.queue.depth';

    // Assess
    expect([metrics.get(`${base}.sum`), metrics.get(`${base}.avg`)]).toEqual([depth, depth]);
  });

  it('posts the Fargate task only as service metrics, never as a host metric', () => {
    // Prepare
    const edge = taskOf(sim, 'edge');

    // Act
    const serviceNames = [...metrics.keys()].filter((n) => n.startsWith('ecs:ecs.prod.edge.edge.'));

    // Assess
    expect(serviceNames).toEqual(expect.arrayContaining(['ecs:ecs.prod.edge.edge.http_requests_in_flight.value.sum']));
    expect(sim.receiver.posted().filter((v) => v.name.startsWith('custom.edge.'))).toEqual([]);
    expect([...summary.skipped, ...summary.failed].filter((i) => i.target.includes(edge.id))).toEqual([]);
  });
});

describe('a 429 from the service metrics endpoint', () => {
  let sim: Simulation;
  let collector: Collector | undefined;

  beforeEach(async () => {
    sim = await startStandardSimulation();
  });
  afterEach(async () => {
    collector?.close();
    await sim.stop();
  });

  it('is retried after a back-off and the values land', async () => {
    // Prepare
    // The runtime's client waits 2.5-5 s after a 429 (rate-limit back-off base 5 s, equal jitter) and has no
    // setting for it: the same client with a 20 ms base keeps this test fast.
    const env = collectorEnv(sim, { MACKEREL_SERVICE: 'ecs', SCRAPE_TIMEOUT_MS: '100' });
    collector = startCollector(env, (deps) => ({
      serviceMetrics: createServiceMetricsClient({ apiKey: E2E_API_KEY, baseUrl: sim.receiver.url, logger: deps.logger, rateLimitBaseDelayMs: 20 }),
    }));
    sim.receiver.failNext(SERVICE_TSDB, 429, 1);

    // Act
    const summary = await collector.cycle();

    // Assess
    // The 429, its retry, then the health figures' own post.
    expect(sim.receiver.requests().filter((r) => r.path === SERVICE_TSDB).map((r) => r.status)).toEqual([429, 200, 200]);
    expect(summary.serviceMetrics).toBeGreaterThan(0);
    expect(sim.receiver.serviceMetrics()).toHaveLength(summary.serviceMetrics + (summary.healthMetrics ?? 0));
    expect(summary.failed.filter((f) => f.target.startsWith('service'))).toEqual([]);
    expect(collector.logs.filter((l) => l.includes('"mackerel request retrying"') && l.includes('"status":429'))).toHaveLength(1);
  });
});
