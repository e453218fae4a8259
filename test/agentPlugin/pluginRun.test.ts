import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { startFleet, type Fleet } from './fleet';
import { pluginLines, valuesByName } from './pluginHarness';

const GOSTATS_GAUGES = [
  'runtime.goroutine_num',
  'memory.memory_alloc',
  'memory.memory_sys',
  'memory.memory_stack',
  'heap.heap_sys',
  'heap.heap_idle',
  'heap.heap_inuse',
  'gc.gc_per_second',
  'gc.gc_pause_per_second',
];
const GOSTATS_DIFFS = [
  'runtime.cgo_call_num',
  'operation.memory_lookups',
  'operation.memory_mallocs',
  'operation.memory_frees',
  'heap.heap_released',
  'gc.gc_num',
];

let fleet: Fleet;
beforeEach(async () => {
  fleet = await startFleet();
});
afterEach(async () => {
  await fleet.close();
});

describe('mackerel-plugin-ecs-tasks, one run after another', () => {
  it('prints gauges under <prefix>.<family>-<task id> on the first run and no counter yet', async () => {
    // Prepare
    const before = Math.floor(Date.now() / 1000);
    // Act
    const run = await fleet.sandbox.run();
    // Assess
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = pluginLines(run.stdout);
    const values = valuesByName(lines);
    expect(Object.keys(values).filter((n) => n.startsWith('gostats.')).sort()).toEqual(
      ['api-3f2a9c1e', 'api-9b8c7d6e'].flatMap((key) => GOSTATS_GAUGES.map((m) => `gostats.${key}.${m}`)).sort(),
    );
    expect(values['gostats.api-3f2a9c1e.runtime.goroutine_num']).toBe(42);
    expect(values['gostats.api-9b8c7d6e.runtime.goroutine_num']).toBe(7);
    expect(values['gostats.api-9b8c7d6e.memory.memory_alloc']).toBe(1048576);
    expect(values['gostats.api-3f2a9c1e.gc.gc_pause_per_second']).toBe(0.41);
    expect(values['prometheus.worker-77aa0000.temperature.value']).toBe(21.5);
    expect(values['prometheus.worker-77aa0000.queue_depth.mail']).toBe(7);
    expect(values['prometheus.worker-77aa0000.queue_depth.sms']).toBe(0);
    // Counters (Prometheus counters, histogram _count/_sum, gostats diffs) only set their baseline.
    expect(Object.keys(values).filter((n) => /http_requests_total|sent_bytes|_count\.|_sum\.|cgo_call_num|memory_mallocs/.test(n))).toEqual([]);
    for (const l of lines) expect(l.epoch).toBeGreaterThanOrEqual(before);
    expect(new Set(lines.map((l) => l.epoch)).size).toBe(1);
  });

  it('leaves out the container without the label, as docker ps --filter label=mackerel.metrics.port does', async () => {
    // Act
    const run = await fleet.sandbox.run();
    // Assess
    expect(run.stdout).not.toMatch(/batch/);
    expect(fleet.unlabelled.server.requests).toHaveLength(0);
    expect(fleet.api1.server.requests.map((r) => r.url)).toEqual(['/api/stats']);
    expect(fleet.promServer.requests.map((r) => r.url)).toEqual(['/metrics']);
    const calls = await fleet.sandbox.dockerCalls();
    expect(calls.filter((c) => c.startsWith('ps '))[0]).toMatch(/^ps --filter label=mackerel\.metrics\.port --format \{\{\.ID\}\}/);
    // Host network mode needs no `docker port`: the container port is the host port.
    expect(calls.filter((c) => c.startsWith('port ')).sort()).toEqual(['port a1a1a1a1a1a1 8080/tcp', 'port b2b2b2b2b2b2 8080/tcp']);
  });

  it('prints per-minute gostats diffs and per-second Prometheus rates once the state is a minute old', async () => {
    // Prepare
    await fleet.sandbox.run();
    const [stateTime] = await fleet.sandbox.ageState(60);
    fleet.api1.stats = { ...fleet.api1.stats, memory_mallocs: 20391245 + 1200, gc_num: 1532 + 30, cgo_call_num: 7, heap_released: 3899392 - 4096 };
    fleet.prom.requests.inc({ method: 'GET', code: '200' }, 90);
    fleet.prom.sent.inc(6000);
    // Act
    const run = await fleet.sandbox.run();
    // Assess
    expect(run.stderr).toBe('');
    const lines = pluginLines(run.stdout);
    const values = valuesByName(lines);
    const epoch = lines[0]?.epoch ?? 0;
    const elapsed = epoch - (stateTime ?? 0);
    expect(elapsed).toBeGreaterThanOrEqual(60);
    expect(values['gostats.api-3f2a9c1e.operation.memory_mallocs']).toBeCloseTo((1200 * 60) / elapsed, 9);
    expect(values['gostats.api-3f2a9c1e.gc.gc_num']).toBeCloseTo((30 * 60) / elapsed, 9);
    expect(values['gostats.api-3f2a9c1e.runtime.cgo_call_num']).toBeCloseTo((6 * 60) / elapsed, 9);
    // A counter that went down (the process restarted) posts 0, as mackerel-plugin-gostats does.
    expect(values['gostats.api-3f2a9c1e.heap.heap_released']).toBe(0);
    expect(values['gostats.api-9b8c7d6e.operation.memory_mallocs']).toBe(0);
    for (const m of GOSTATS_DIFFS) expect(values).toHaveProperty([`gostats.api-9b8c7d6e.${m}`]);
    expect(values['prometheus.worker-77aa0000.http_requests_total.200_GET']).toBeCloseTo(90 / elapsed, 9);
    expect(values['prometheus.worker-77aa0000.http_requests_total.500_POST']).toBe(0);
    expect(values['prometheus.worker-77aa0000.sent_bytes_total.value']).toBeCloseTo(6000 / elapsed, 9);
  });

  it('starts the counters again instead of diffing over a gap longer than 600 s', async () => {
    // Prepare
    await fleet.sandbox.run();
    await fleet.sandbox.ageState(700);
    fleet.api1.stats = { ...fleet.api1.stats, memory_mallocs: 20391245 + 1200 };
    // Act
    const second = await fleet.sandbox.run();
    const third = await (async () => {
      await fleet.sandbox.ageState(60);
      return fleet.sandbox.run();
    })();
    // Assess
    expect(Object.keys(valuesByName(pluginLines(second.stdout))).filter((n) => n.includes('operation.'))).toEqual([]);
    expect(valuesByName(pluginLines(third.stdout))['gostats.api-3f2a9c1e.operation.memory_mallocs']).toBe(0);
  });

  it("keeps one state file per container and port in MACKEREL_PLUGIN_WORKDIR, holding each counter's baseline", async () => {
    // Act
    const run = await fleet.sandbox.run();
    // Assess
    const epoch = pluginLines(run.stdout)[0]?.epoch;
    const file = path.join(fleet.sandbox.stateDir, 'mackerel-plugin-ecs-tasks.a1a1a1a1a1a1.8080.gostats.state');
    const state = (await readFile(file, 'utf8')).split('\n').filter((l) => l !== '').sort();
    expect(state).toEqual(
      [
        `gostats.cgo_call_num 1 ${epoch}`,
        `gostats.gc_num 1532 ${epoch}`,
        `gostats.heap_released 3899392 ${epoch}`,
        `gostats.memory_frees 20350112 ${epoch}`,
        `gostats.memory_lookups 0 ${epoch}`,
        `gostats.memory_mallocs 20391245 ${epoch}`,
      ].sort(),
    );
  });

  it('names metrics by host port with METRIC_KEY=port, exactly as the 2017 seed script did', async () => {
    // Act
    const run = await fleet.sandbox.run({ METRIC_KEY: 'port' });
    // Assess
    const values = valuesByName(pluginLines(run.stdout));
    expect(values[`gostats.${fleet.api1.server.port}.runtime.goroutine_num`]).toBe(42);
    expect(values[`gostats.${fleet.api2.server.port}.runtime.goroutine_num`]).toBe(7);
    expect(values[`prometheus.${fleet.promServer.port}.temperature.value`]).toBe(21.5);
    expect(Object.keys(values).every((n) => /^(gostats|prometheus)\.\d+\./.test(n))).toBe(true);
  });

  it('refuses an unknown METRIC_KEY with exit status 1 and a message naming it', async () => {
    // Act
    const run = await fleet.sandbox.run({ METRIC_KEY: 'slot' });
    // Assess
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe('mackerel-plugin-ecs-tasks: METRIC_KEY must be task or port, got "slot"\n');
  });
});
