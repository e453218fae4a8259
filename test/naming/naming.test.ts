import { isValidMetricName, MAX_KEY_LENGTH, metricKey, metricName, NamingError, sanitizeNode } from '../../src/mackerel/naming';
import { GOSTATS_GRAPHS } from '../../src/parse';

const TASK = { service: 'api', family: 'api-td', taskId: '3f2a9c1e5b7d4e6f8a9b0c1d2e3f4a5b', port: 37693 };

describe('metric names', () => {
  it("gives exactly the seed's gostats names with the port key", () => {
    // Prepare
    const key = metricKey(TASK, 'port');
    // Act
    const names = GOSTATS_GRAPHS.flatMap((g) => g.metrics.map((m) => metricName('gostats', key, { graph: g.graph, metric: m.name })));
    // Assess
    expect(names.map((n) => (n.ok ? n.value : n.error.message))).toEqual([
      'custom.gostats.37693.runtime.goroutine_num',
      'custom.gostats.37693.runtime.cgo_call_num',
      'custom.gostats.37693.memory.memory_alloc',
      'custom.gostats.37693.memory.memory_sys',
      'custom.gostats.37693.memory.memory_stack',
      'custom.gostats.37693.operation.memory_lookups',
      'custom.gostats.37693.operation.memory_mallocs',
      'custom.gostats.37693.operation.memory_frees',
      'custom.gostats.37693.heap.heap_sys',
      'custom.gostats.37693.heap.heap_idle',
      'custom.gostats.37693.heap.heap_inuse',
      'custom.gostats.37693.heap.heap_released',
      'custom.gostats.37693.gc.gc_num',
      'custom.gostats.37693.gc.gc_per_second',
      'custom.gostats.37693.gc.gc_pause_per_second',
    ]);
  });

  it('keys a task by service and the first 8 characters of its id', () => {
    expect(metricKey(TASK, 'task')).toBe('api-3f2a9c1e');
  });

  it('keys a standalone task (no service) by its task definition family', () => {
    expect(metricKey({ ...TASK, service: undefined }, 'task')).toBe('api-td-3f2a9c1e');
    expect(metricKey({ ...TASK, service: '' }, 'task')).toBe('api-td-3f2a9c1e');
  });

  it('cuts a long service name to fit 48 characters and keeps the task id whole', () => {
    // Act
    const key = metricKey({ ...TASK, service: 'a-really-long-service-name-that-goes-on-and-on-and-on' }, 'task');
    // Assess
    expect(key).toBe('a-really-long-service-name-that-goes-on-3f2a9c1e');
    expect(key).toHaveLength(MAX_KEY_LENGTH);
  });

  it('sanitises characters Mackerel does not allow in the key', () => {
    expect(metricKey({ ...TASK, service: 'my.svc/v2 ☃' }, 'task')).toBe('my_svc_v2__-3f2a9c1e');
  });

  it('replaces each disallowed character of a node with one underscore', () => {
    expect(sanitizeNode('GET /api/v1?x=1')).toBe('GET__api_v1_x_1');
    expect(sanitizeNode('🚀ok-1_A')).toBe('_ok-1_A');
    expect(sanitizeNode('fine-node_1')).toBe('fine-node_1');
  });

  it('splits dotted prefixes and graphs into nodes and folds a dotted metric into one node', () => {
    const r = metricName('my app.web', 'api-3f2a9c1e', { graph: 'gostats.37693.runtime', metric: 'p0.99' });
    expect(r).toEqual({ ok: true, value: 'custom.my_app.web.api-3f2a9c1e.gostats.37693.runtime.p0_99' });
  });

  it.each([
    ['an empty prefix', '', 'k', 'g', 'm', /empty prefix node/],
    ['an empty key', 'p', '', 'g', 'm', /empty key node/],
    ['an empty graph node', 'p', 'k', 'a..b', 'm', /empty graph node/],
    ['an empty metric', 'p', 'k', 'g', '', /empty metric node/],
  ])('refuses a name with %s', (_label, prefix, key, graph, metric, reason) => {
    // Act
    const r = metricName(prefix, key, { graph, metric });
    // Assess
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toBeInstanceOf(NamingError);
    expect(r.error.name).toBe('NamingError');
    expect(r.error.message).toMatch(reason);
  });

  it('quotes at most 80 characters of a rejected name', () => {
    const r = metricName('p', 'k', { graph: `${'g'.repeat(5000)}.`, metric: 'm' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message.length).toBeLessThan(160);
  });

  it.each([
    ['custom.gostats.37693.runtime.goroutine_num', true],
    ['custom.a', true],
    ['custom', false],
    ['custom.', false],
    ['custom.a..b', false],
    ['custom.gostats.#.runtime', false],
    ['gostats.runtime.goroutine_num', false],
    ['custom.a b', false],
  ])('checks %s as %s', (name, valid) => {
    expect(isValidMetricName(name)).toBe(valid);
  });
});
