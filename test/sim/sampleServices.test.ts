import { startSimulation, type SampleKind, type Simulation, type SimTask, type TaskSpec } from '../../sim';
import { OVERSIZED_BYTES } from '../../sim/sampleEndpoints';

const get = (t: SimTask, path = t.path, timeoutMs = 2000): Promise<Response> =>
  fetch(`http://${t.address}:${t.hostPort}${path}`, { signal: AbortSignal.timeout(timeoutMs) });

describe('sample services', () => {
  let sim: Simulation;
  const byKind = (kind: SampleKind): SimTask => {
    const t = sim.tasks().find((x) => x.kind === kind);
    if (!t) throw new Error(`no ${kind} task`);
    return t;
  };

  beforeAll(async () => {
    const kinds: SampleKind[] = ['gostats', 'prometheus', 'plugin', 'refuse', 'hang', 'malformed', 'html', 'http500', 'oversized'];
    const tasks: TaskSpec[] = kinds.map((kind) => ({ family: kind, service: kind, networkMode: 'bridge', instance: 0, kind }));
    sim = await startSimulation({ clusters: [{ name: 'kinds', instances: [{ address: '127.0.2.7' }], tasks }], targetLatencyMs: 5 });
  });
  afterAll(() => sim.stop());

  it('serves gostats JSON at the instance address and a dynamic host port, with rising counters', async () => {
    // Prepare
    const t = byKind('gostats');

    // Act
    const first = (await (await get(t)).json()) as Record<string, number>;
    const second = (await (await get(t)).json()) as Record<string, number>;

    // Assess
    expect(t.address).toBe('127.0.2.7');
    expect(t.hostPort).not.toBe(t.containerPort);
    expect(t.path).toBe('/api/stats');
    expect(Object.keys(first)).toEqual([
      'time', 'go_version', 'go_os', 'go_arch', 'cpu_num', 'goroutine_num', 'gomaxprocs', 'cgo_call_num', 'memory_alloc',
      'memory_total_alloc', 'memory_sys', 'memory_lookups', 'memory_mallocs', 'memory_frees', 'memory_stack', 'heap_alloc',
      'heap_sys', 'heap_idle', 'heap_inuse', 'heap_released', 'heap_objects', 'gc_next', 'gc_last', 'gc_num',
      'gc_per_second', 'gc_pause_per_second', 'gc_pause',
    ]);
    expect(second.memory_mallocs).toBeGreaterThan(first.memory_mallocs ?? Infinity);
    expect(second.gc_num).toBeGreaterThan(first.gc_num ?? Infinity);
    expect(second.time).toBeGreaterThan(1.7e18);
  });

  it('serves Prometheus text from prom-client with the 0.0.4 content type', async () => {
    const res = await get(byKind('prometheus'));
    const text = await res.text();
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(text).toMatch(/^http_requests_total\{method="GET",code="200"\} \d+$/m);
    expect(text).toMatch(/^http_requests_in_flight \d+$/m);
    expect(text).toMatch(/^http_request_duration_seconds_bucket\{le="\+Inf"\} \d+$/m);
  });

  it('serves mackerel plugin text as name, value and epoch separated by tabs', async () => {
    const text = await (await get(byKind('plugin'))).text();
    const lines = text.trim().split('\n').map((l) => l.split('\t'));
    expect(lines.map((l) => l[0])).toEqual(['jobs.processed', 'jobs.failed', 'queue.depth', 'queue.oldest_age_seconds']);
    expect(lines.every((l) => l.length === 3 && Math.abs(Number(l[2]) - Date.now() / 1000) < 5)).toBe(true);
  });

  it('answers 404 on a path other than the metrics path', async () => {
    expect((await get(byKind('gostats'), '/metrics')).status).toBe(404);
  });

  it('refuses connections on the port of a refusing target', async () => {
    await expect(get(byKind('refuse'))).rejects.toMatchObject({ cause: { code: 'ECONNREFUSED' } });
  });

  it('never answers on a hanging target', async () => {
    await expect(get(byKind('hang'), undefined, 150)).rejects.toThrow(/aborted|timeout/i);
  });

  it('returns truncated JSON, an HTML page and a 500 from the faulty targets', async () => {
    await expect((await get(byKind('malformed'))).json()).rejects.toThrow();
    const html = await get(byKind('html'));
    expect(html.headers.get('content-type')).toMatch(/^text\/html/);
    expect((await get(byKind('http500'))).status).toBe(500);
  });

  it('streams an oversized body', async () => {
    const body = await (await get(byKind('oversized'))).arrayBuffer();
    expect(body.byteLength).toBeGreaterThanOrEqual(OVERSIZED_BYTES);
  });

  it('starts a new task on a fresh dynamic port and closes the port when the task stops', async () => {
    // Act
    const added = await sim.startTask('kinds', { family: 'late', service: 'late', networkMode: 'bridge', instance: 0, kind: 'gostats' });
    const before = (await get(added)).status;
    await sim.stopTask(added.arn);

    // Assess
    expect(before).toBe(200);
    expect(sim.tasks().find((t) => t.arn === added.arn)?.lastStatus).toBe('STOPPED');
    await expect(get(added)).rejects.toMatchObject({ cause: { code: 'ECONNREFUSED' } });
  });
});
