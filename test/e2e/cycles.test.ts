/**
 * Several cycles in one process, as a warm Lambda container runs them: counter baselines, graph definitions
 * posted once, retries and the retry queue across a Mackerel outage.
 */
import type { Simulation } from '../../sim';
import type { CycleSummary } from '../../src/pipeline/collect';
import type { MetricValue } from '../../src/types';
import {
  collectorEnv,
  landed,
  nextSecond,
  servedGostats,
  startInProcessCollector,
  startStandardSimulation,
  taskKey,
  taskOf,
  type InProcessCollector,
} from './harness';

const GOSTATS_DIFF = ['runtime.cgo_call_num', 'operation.memory_lookups', 'operation.memory_mallocs', 'operation.memory_frees', 'heap.heap_released', 'gc.gc_num'];

describe('two cycles in one warm process', () => {
  let sim: Simulation;
  let collector: InProcessCollector;
  let first: MetricValue[];
  let second: MetricValue[];
  let summaries: CycleSummary[];
  let graphDefsAfterFirst: string[];

  beforeAll(async () => {
    sim = await startStandardSimulation();
    collector = startInProcessCollector(collectorEnv(sim));
    summaries = [await collector.cycle()];
    first = sim.receiver.posted();
    graphDefsAfterFirst = sim.receiver.graphDefs().map((d) => d.name);
    // Counters diff over whole epoch seconds: the second cycle must fall in a later second.
    await nextSecond();
    summaries.push(await collector.cycle());
    second = sim.receiver.posted().slice(first.length);
  });
  afterAll(async () => {
    collector.close();
    await sim.stop();
  });
  it('posts gostats per-minute diffs only from the second cycle, as (current - previous) * 60 / seconds', () => {
    // Prepare
    const api = taskOf(sim, 'api');
    const base = `custom.gostats.${taskKey(api)}`;
    const served = [1, 2].map((n) => servedGostats(sim, api, 'cgo_call_num', n));

    // Act
    const cgo = second.find((v) => v.name === `${base}.runtime.cgo_call_num`);

    // Assess
    for (const diff of GOSTATS_DIFF) {
      expect(first.filter((v) => v.name === `${base}.${diff}`)).toEqual([]);
      expect(second.filter((v) => v.name === `${base}.${diff}`)).toHaveLength(1);
    }
    expect(first.filter((v) => v.name === `${base}.runtime.goroutine_num`)).toHaveLength(1);
    const t1 = first[0]?.time ?? NaN;
    const t2 = cgo?.time ?? NaN;
    expect(t2).toBeGreaterThan(t1);
    expect(cgo?.value).toBeCloseTo((((served[1] ?? 0) - (served[0] ?? 0)) * 60) / (t2 - t1), 9);
  });

  it('posts Prometheus counters as per-second rates only from the second cycle', () => {
    // Prepare
    const base = `custom.prometheus.${taskKey(taskOf(sim, 'web'))}`;
    const names = (vs: MetricValue[]) => vs.filter((v) => v.name.startsWith(`${base}.`)).map((v) => v.name).sort();
    const rate = (name: string) => second.find((v) => v.name === `${base}.${name}`)?.value ?? NaN;

    // Act
    const seconds = (second[0]?.time ?? NaN) - (first[0]?.time ?? NaN);

    // Assess
    expect(names(first)).toEqual([`${base}.http_requests_in_flight.value`]);
    expect(names(second)).toEqual(
      [
        `${base}.http_request_duration_seconds_count.value`,
        `${base}.http_request_duration_seconds_sum.value`,
        `${base}.http_requests_in_flight.value`,
        `${base}.http_requests_total.200_GET`,
        `${base}.http_requests_total.500_POST`,
      ].sort(),
    );
    // prometheusSource adds 1-20 GET 200s and exactly 3 observations per scrape.
    expect(rate('http_requests_total.200_GET') * seconds).toBeGreaterThanOrEqual(1);
    expect(rate('http_requests_total.200_GET') * seconds).toBeLessThanOrEqual(20);
    expect(rate('http_request_duration_seconds_count.value') * seconds).toBeCloseTo(3, 9);
  });

  it('posts graph definitions once (custom.gostats.#.runtime …) and not again in the second cycle', () => {
    expect(graphDefsAfterFirst).toEqual(
      expect.arrayContaining([
        'custom.gostats.#.runtime',
        'custom.gostats.#.memory',
        'custom.gostats.#.gc',
        'custom.worker.#.jobs',
        'custom.worker.#.queue',
        'custom.prometheus.#.http_requests_total',
      ]),
    );
    expect(new Set(graphDefsAfterFirst).size).toBe(graphDefsAfterFirst.length);
    expect(summaries.map((s) => s.graphDefs)).toEqual([graphDefsAfterFirst.length, 0]);
    expect(sim.receiver.graphDefs().map((d) => d.name)).toEqual(graphDefsAfterFirst);
    const runtime = sim.receiver.graphDefs().find((d) => d.name === 'custom.gostats.#.runtime');
    expect(runtime?.metrics.map((m) => m.name)).toEqual(['custom.gostats.#.runtime.goroutine_num', 'custom.gostats.#.runtime.cgo_call_num']);
  });
});

describe('when Mackerel fails', () => {
  let sim: Simulation;
  let collector: InProcessCollector | undefined;

  beforeEach(async () => {
    sim = await startStandardSimulation();
  });
  afterEach(async () => {
    collector?.close();
    collector = undefined;
    await sim.stop();
  });

  it('still lands every value when POST /api/v0/tsdb answers 503 twice, then recovers', async () => {
    // Prepare
    collector = startInProcessCollector(collectorEnv(sim));
    sim.receiver.failNext('/api/v0/tsdb', 503, 2);

    // Act
    const summary = await collector.cycle();

    // Assess
    const tsdb = sim.receiver.requests().filter((r) => r.path === '/api/v0/tsdb');
    expect(tsdb.map((r) => r.status)).toEqual([503, 503, 200]);
    expect(summary.posted).toBe(summary.samples);
    expect(sim.receiver.posted()).toHaveLength(summary.samples);
    expect(summary.failed.filter((f) => f.target.startsWith('tsdb'))).toEqual([]);
    expect(summary.retryQueue).toBe(0);
    expect(collector.logs.filter((l) => l.includes('"mackerel request retrying"'))).toHaveLength(2);
  });

  it('reports the values of a cycle-long outage as failed, queues them and lands them in the next cycle', async () => {
    // Prepare
    collector = startInProcessCollector(collectorEnv(sim));
    const api = taskOf(sim, 'api');
    const goroutines = `custom.gostats.${taskKey(api)}.runtime.goroutine_num`;
    sim.receiver.failNext('/api/v0/tsdb', 503, 1000);

    // Act
    const outage = await collector.cycle();
    const duringOutage = sim.receiver.posted().length;
    sim.receiver.reset(); // Mackerel is back: pending failures cleared, hosts kept.
    await nextSecond();
    const recovered = await collector.cycle();

    // Assess
    expect(duringOutage).toBe(0);
    expect(outage.posted).toBe(0);
    expect(outage.failed.find((f) => f.target.startsWith('tsdb batch'))?.reason).toMatch(/503.*queued for the next cycle/);
    expect(outage.retryQueue).toBe(outage.samples);
    expect(recovered.posted).toBe(outage.samples + recovered.samples);
    expect(recovered.retryQueue).toBe(0);
    expect(sim.receiver.posted()).toHaveLength(recovered.posted);
    const values = landed(sim, goroutines);
    expect(values.map((v) => v.value)).toEqual([servedGostats(sim, api, 'goroutine_num', 1), servedGostats(sim, api, 'goroutine_num', 2)]);
    expect((values[1]?.time ?? NaN) - (values[0]?.time ?? NaN)).toBeGreaterThanOrEqual(1);
  });
});
