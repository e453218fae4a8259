import { metricName } from '../../src/mackerel/naming';
import { parseBody, ParseError, type ParseOutput } from '../../src/parse';
import type { Sample } from '../../src/types';
import { memoryCounters } from './memoryCounters';

/** reference/mackerel-api.md §10: a golang-stats-api-handler body, verbatim (nanosecond times included). */
const SAMPLE_JSON = `{"time":1767225600123456789,"go_version":"go1.22.5","go_os":"linux","go_arch":"amd64","cpu_num":2,
 "goroutine_num":42,"gomaxprocs":2,"cgo_call_num":1,"memory_alloc":8421376,"memory_total_alloc":1843253248,
 "memory_sys":25769992,"memory_lookups":0,"memory_mallocs":20391245,"memory_frees":20350112,"memory_stack":983040,
 "heap_alloc":8421376,"heap_sys":15958016,"heap_idle":5341184,"heap_inuse":10616832,"heap_released":3899392,
 "heap_objects":41133,"gc_next":12582912,"gc_last":1767225598871234567,"gc_num":1532,
 "gc_per_second":0.2,"gc_pause_per_second":0.41,"gc_pause":[0.21,0.2]}`;
const SAMPLE = JSON.parse(SAMPLE_JSON) as Record<string, unknown>;
const T0 = 1767225600;
const TARGET = 'c1/3f2a9c1e/app:8080';

function parse(body: object | string, now: number, counters = memoryCounters(), targetId = TARGET): ParseOutput {
  const r = parseBody('gostats', typeof body === 'string' ? body : JSON.stringify(body), { targetId, now, counters });
  if (!r.ok) throw r.error;
  return r.value;
}
const byName = (samples: readonly Sample[]) => Object.fromEntries(samples.map((s) => [`${s.graph}.${s.metric}`, s.value]));
const DIFFS = ['runtime.cgo_call_num', 'operation.memory_lookups', 'operation.memory_mallocs', 'operation.memory_frees', 'heap.heap_released', 'gc.gc_num'];

describe('gostats body', () => {
  it('posts only the gauges on the first scrape of a task, as the plugin does on a cold run', () => {
    // Act
    const out = parse(SAMPLE_JSON, T0);
    // Assess
    expect(byName(out.samples)).toEqual({
      'runtime.goroutine_num': 42, 'memory.memory_alloc': 8421376, 'memory.memory_sys': 25769992,
      'memory.memory_stack': 983040, 'heap.heap_sys': 15958016, 'heap.heap_idle': 5341184,
      'heap.heap_inuse': 10616832, 'gc.gc_per_second': 0.2, 'gc.gc_pause_per_second': 0.41,
    });
    expect(out.samples.every((s) => s.time === T0)).toBe(true);
    expect(out.dropped).toEqual([{ reason: 'counter baseline (first sample)', count: 6 }]);
  });

  it('reproduces the recorded mackerel-plugin-gostats run 2 line for line (port key 37693)', () => {
    // Prepare: run 1 and run 2 bodies whose counters give the recorded diffs over 2 s
    // (state file after run 2: cgo 7, gc 104, mallocs 1010445, frees 910027, released 1064960, lookups 15).
    const gauges = { goroutine_num: 12, memory_alloc: 3145728, memory_sys: 12582912, memory_stack: 393216, heap_sys: 6291456,
      heap_idle: 2097152, heap_inuse: 4194304, gc_per_second: 2, gc_pause_per_second: 0.125 };
    const run1 = { ...gauges, cgo_call_num: 5, gc_num: 100, memory_mallocs: 1000325, memory_frees: 900312, heap_released: 1048576, memory_lookups: 15 };
    const run2 = { ...gauges, cgo_call_num: 7, gc_num: 104, memory_mallocs: 1010445, memory_frees: 910027, heap_released: 1064960, memory_lookups: 15 };
    const counters = memoryCounters();
    parse(run1, 1795634131, counters);
    // Act
    const out = parse(run2, 1795634133, counters);
    const lines = out.samples.map((s) => {
      const name = metricName('gostats', '37693', s);
      return `${name.ok ? name.value : 'INVALID'}\t${s.value}\t${s.time}`;
    });
    // Assess: the plugin's sorted stdout with the agent's `custom.` in front
    expect(lines.sort()).toEqual([
      'custom.gostats.37693.gc.gc_num\t120\t1795634133',
      'custom.gostats.37693.gc.gc_pause_per_second\t0.125\t1795634133',
      'custom.gostats.37693.gc.gc_per_second\t2\t1795634133',
      'custom.gostats.37693.heap.heap_idle\t2097152\t1795634133',
      'custom.gostats.37693.heap.heap_inuse\t4194304\t1795634133',
      'custom.gostats.37693.heap.heap_released\t491520\t1795634133',
      'custom.gostats.37693.heap.heap_sys\t6291456\t1795634133',
      'custom.gostats.37693.memory.memory_alloc\t3145728\t1795634133',
      'custom.gostats.37693.memory.memory_stack\t393216\t1795634133',
      'custom.gostats.37693.memory.memory_sys\t12582912\t1795634133',
      'custom.gostats.37693.operation.memory_frees\t291450\t1795634133',
      'custom.gostats.37693.operation.memory_lookups\t0\t1795634133',
      'custom.gostats.37693.operation.memory_mallocs\t303600\t1795634133',
      'custom.gostats.37693.runtime.cgo_call_num\t60\t1795634133',
      'custom.gostats.37693.runtime.goroutine_num\t12\t1795634133',
    ]);
  });

  it('posts diff metrics per minute one cycle later', () => {
    // Prepare
    const counters = memoryCounters();
    parse(SAMPLE, T0, counters);
    const later = { ...SAMPLE, cgo_call_num: 31, gc_num: 1544, memory_mallocs: 20401245, memory_frees: 20360112, heap_released: 3899392 };
    // Act
    const out = parse(later, T0 + 60, counters);
    // Assess
    const v = byName(out.samples);
    expect(v['runtime.cgo_call_num']).toBe(30);
    expect(v['gc.gc_num']).toBe(12);
    expect(v['operation.memory_mallocs']).toBe(10000);
    expect(v['operation.memory_frees']).toBe(10000);
    expect(v['operation.memory_lookups']).toBe(0);
    expect(v['heap.heap_released']).toBe(0);
    expect(out.dropped).toEqual([]);
  });

  it('scales a diff over 90 s to per minute', () => {
    const counters = memoryCounters();
    parse(SAMPLE, T0, counters);
    const out = parse({ ...SAMPLE, gc_num: 1532 + 45 }, T0 + 90, counters);
    expect(byName(out.samples)['gc.gc_num']).toBe(30);
  });

  it('posts 0 when a counter went down (the task restarted), then diffs from the new value', () => {
    // Prepare
    const counters = memoryCounters();
    parse(SAMPLE, T0, counters);
    // Act
    const reset = parse({ ...SAMPLE, gc_num: 3, cgo_call_num: 0 }, T0 + 60, counters);
    const after = parse({ ...SAMPLE, gc_num: 9, cgo_call_num: 0 }, T0 + 120, counters);
    // Assess
    expect(byName(reset.samples)['gc.gc_num']).toBe(0);
    expect(byName(reset.samples)['runtime.cgo_call_num']).toBe(0);
    expect(byName(after.samples)['gc.gc_num']).toBe(6);
  });

  it('posts no diff after a gap over 600 s and diffs again from that sample', () => {
    // Prepare
    const counters = memoryCounters();
    parse(SAMPLE, T0, counters);
    // Act
    const gap = parse({ ...SAMPLE, gc_num: 2000 }, T0 + 601, counters);
    const next = parse({ ...SAMPLE, gc_num: 2010 }, T0 + 661, counters);
    // Assess
    expect(DIFFS.filter((d) => d in byName(gap.samples))).toEqual([]);
    expect(byName(gap.samples)['runtime.goroutine_num']).toBe(42);
    expect(gap.dropped).toEqual([{ reason: 'counter gap over 600 s (re-baselined)', count: 6 }]);
    expect(byName(next.samples)['gc.gc_num']).toBe(10);
  });

  it('still diffs at exactly 600 s', () => {
    const counters = memoryCounters();
    parse(SAMPLE, T0, counters);
    const out = parse({ ...SAMPLE, gc_num: 1532 + 100 }, T0 + 600, counters);
    expect(byName(out.samples)['gc.gc_num']).toBe(10);
  });

  it('keeps the baseline when scraped twice in the same second', () => {
    // Prepare
    const counters = memoryCounters();
    parse(SAMPLE, T0, counters);
    // Act
    const again = parse({ ...SAMPLE, gc_num: 1540 }, T0, counters);
    const next = parse({ ...SAMPLE, gc_num: 1544 }, T0 + 60, counters);
    // Assess
    expect(DIFFS.some((d) => d in byName(again.samples))).toBe(false);
    expect(byName(next.samples)['gc.gc_num']).toBe(12);
  });

  it('keeps counter state apart per target', () => {
    const counters = memoryCounters();
    parse(SAMPLE, T0, counters, 'c1/aaaa/app:1');
    const other = parse({ ...SAMPLE, gc_num: 1600 }, T0 + 60, counters, 'c1/bbbb/app:1');
    expect('gc.gc_num' in byName(other.samples)).toBe(false);
    expect(counters.map.get('c1/aaaa/app:1|gostats.gc_num')).toEqual({ value: 1532, time: T0 });
  });

  it('posts a missing gauge as 0 like the plugin, and leaves out a non-numeric field (counted) instead of the whole body', () => {
    const { memory_sys: _gone, ...rest } = SAMPLE;
    const out = parse({ ...rest, heap_idle: 'lots' }, T0);
    expect(byName(out.samples)).toEqual({
      'runtime.goroutine_num': 42, 'memory.memory_alloc': 8421376, 'memory.memory_sys': 0,
      'memory.memory_stack': 983040, 'heap.heap_sys': 15958016,
      'heap.heap_inuse': 10616832, 'gc.gc_per_second': 0.2, 'gc.gc_pause_per_second': 0.41,
    });
    expect(out.dropped).toEqual([
      { reason: 'counter baseline (first sample)', count: 6 },
      { reason: 'gostats field heap_idle is a string, not a number', count: 1 },
    ]);
  });

  it('posts a body without goroutine_num (goroutine_num as 0), as the plugin does', () => {
    const { goroutine_num: _gone, ...rest } = SAMPLE;
    const out = parse(rest, T0);
    expect(byName(out.samples)['runtime.goroutine_num']).toBe(0);
    expect(out.samples).toHaveLength(9);
  });

  it('describes the plugin graphs with its labels and units', () => {
    const out = parse(SAMPLE, T0);
    expect(out.graphs.map((g) => [g.graph, g.displayName, g.unit, g.metrics.map((m) => m.displayName).join('|')])).toEqual([
      ['runtime', 'Gostats Runtime', 'integer', 'Goroutine Num|CGO Call Num'],
      ['memory', 'Gostats Memory', 'bytes', 'Alloc|Sys|Stack In Use'],
      ['operation', 'Gostats Operation', 'integer', 'Pointer Lookups|Mallocs|Frees'],
      ['heap', 'Gostats Heap', 'bytes', 'Sys|Idle|In Use|Released'],
      ['gc', 'Gostats GC', 'float', 'GC Num|GC Per Second|GC Pause Per Second'],
    ]);
  });

  it.each([
    ['an HTML error page', `<html><body>${'x'.repeat(5000)}</body></html>`, /not JSON: "<html><body>x+"…$/],
    ['a JSON array', '[1,2,3]', /expected a JSON object, got "\[1,2,3\]"/],
    ['JSON null', 'null', /expected a JSON object/],
    ['an object with none of the metric fields', '{"status":"ok"}', /none of the 15 metric fields holds a usable number: not a golang-stats-api-handler body$/],
    ['an empty body', '', /not JSON: ""/],
  ])('rejects %s with a ParseError that quotes at most 80 characters', (_label, body, message) => {
    // Act
    const r = parseBody('gostats', body, { targetId: TARGET, now: T0, counters: memoryCounters() });
    // Assess
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toBeInstanceOf(ParseError);
    expect(r.error.name).toBe('ParseError');
    expect(r.error.message).toMatch(/^gostats body: /);
    expect(r.error.message).toMatch(message);
    expect(r.error.message.length).toBeLessThan(200);
  });
});
