import { parseBody, ParseError, type ParseOutput } from '../../src/parse';
import type { Sample } from '../../src/types';
import { memoryCounters } from './memoryCounters';

/**
 * What mackerel-plugin-gostats posts for unusual bodies, case by case, and what the parser posts instead.
 * Plugin source: mackerelio/mackerel-agent-plugins mackerel-plugin-gostats/lib/mackerel-plugin-gostats.go
 * (parseStats: json.Decoder.Decode into fukata/golang-stats-api-handler's Stats struct, any error = the run
 * prints nothing and keeps its state file) and mackerelio/go-mackerel-plugin v0.1.6 (OutputValues, calcDiff).
 * The intentional differences are numbered as in the doc comment of src/parse/gostats.ts.
 */

const T0 = 1767225600;
const TARGET = 'c1/3f2a9c1e/app:8080';

/** The 15 posted fields of a healthy body (reference/mackerel-api.md §10) plus fields the plugin never posts. */
const FULL = {
  time: 1767225600000000000, go_version: 'go1.22.5', go_os: 'linux', go_arch: 'amd64', cpu_num: 2,
  goroutine_num: 42, gomaxprocs: 2, cgo_call_num: 1, memory_alloc: 8421376, memory_total_alloc: 1843253248,
  memory_sys: 25769992, memory_lookups: 0, memory_mallocs: 20391245, memory_frees: 20350112, memory_stack: 983040,
  heap_alloc: 8421376, heap_sys: 15958016, heap_idle: 5341184, heap_inuse: 10616832, heap_released: 3899392,
  heap_objects: 41133, gc_next: 12582912, gc_last: 1767225598000000000, gc_num: 1532,
  gc_per_second: 0.2, gc_pause_per_second: 0.41, gc_pause: [0.21, 0.2],
};
/** The gauges a cold scrape of FULL posts (no counter has a baseline yet). */
const FULL_GAUGES = {
  'runtime.goroutine_num': 42, 'memory.memory_alloc': 8421376, 'memory.memory_sys': 25769992, 'memory.memory_stack': 983040,
  'heap.heap_sys': 15958016, 'heap.heap_idle': 5341184, 'heap.heap_inuse': 10616832,
  'gc.gc_per_second': 0.2, 'gc.gc_pause_per_second': 0.41,
};
const COUNTERS = ['cgo_call_num', 'memory_lookups', 'memory_mallocs', 'memory_frees', 'heap_released', 'gc_num'] as const;
const BASELINE = { reason: 'counter baseline (first sample)', count: 6 };

function run(body: string, now = T0, counters = memoryCounters()) {
  return parseBody('gostats', body, { targetId: TARGET, now, counters });
}
function parse(body: object | string, now = T0, counters = memoryCounters()): ParseOutput {
  const r = run(typeof body === 'string' ? body : JSON.stringify(body), now, counters);
  if (!r.ok) throw r.error;
  return r.value;
}
function parseError(body: string): ParseError {
  const r = run(body);
  if (r.ok) throw new Error(`expected a ParseError for ${body}`);
  expect(r.error).toBeInstanceOf(ParseError);
  return r.error;
}
const byName = (samples: readonly Sample[]) => Object.fromEntries(samples.map((s) => [`${s.graph}.${s.metric}`, s.value]));
function without(...keys: string[]): Record<string, unknown> {
  const o: Record<string, unknown> = { ...FULL };
  for (const k of keys) delete o[k];
  return o;
}
/** Two scrapes 60 s apart, the second with `second`: returns the second output. */
function twoScrapes(first: object | string, second: object | string): ParseOutput {
  const counters = memoryCounters();
  parse(first, T0, counters);
  return parse(second, T0 + 60, counters);
}

describe('gostats parity with mackerel-plugin-gostats: missing fields', () => {
  it('posts the rest when goroutine_num is missing, goroutine_num as 0 (plugin: struct field left at 0)', () => {
    const out = parse(without('goroutine_num'));
    expect(byName(out.samples)).toEqual({ ...FULL_GAUGES, 'runtime.goroutine_num': 0 });
    expect(out.dropped).toEqual([BASELINE]);
  });

  it('posts a missing gauge as 0, like the plugin', () => {
    const out = parse(without('memory_sys', 'heap_idle', 'gc_pause_per_second'));
    expect(byName(out.samples)).toEqual({ ...FULL_GAUGES, 'memory.memory_sys': 0, 'heap.heap_idle': 0, 'gc.gc_pause_per_second': 0 });
  });

  it('posts all gauges of a pre-2014 handler body (no memory_stack, gc_per_second, gc_pause_per_second) with those as 0', () => {
    const out = parse(without('time', 'memory_stack', 'gc_per_second', 'gc_pause_per_second', 'gc_pause'));
    expect(byName(out.samples)).toEqual({ ...FULL_GAUGES, 'memory.memory_stack': 0, 'gc.gc_per_second': 0, 'gc.gc_pause_per_second': 0 });
  });

  it('difference 2: does not post a missing counter as 0, counts it, and keeps its baseline (plugin: 0, then a spike)', () => {
    // Prepare
    const counters = memoryCounters();
    parse(FULL, T0, counters);
    // Act: gc_num missing at +60 s, back at +120 s with 12 more collections
    const gone = parse(without('gc_num'), T0 + 60, counters);
    const kept = counters.map.get(`${TARGET}|gostats.gc_num`);
    const back = parse({ ...FULL, gc_num: 1532 + 12 }, T0 + 120, counters);
    // Assess: the plugin would post gc_num 0 (a "reset" from 1532 to 0) and then 1544 per minute
    expect('gc.gc_num' in byName(gone.samples)).toBe(false);
    expect(byName(gone.samples)['runtime.cgo_call_num']).toBe(0);
    expect(gone.dropped).toEqual([{ reason: 'gostats counter gc_num missing or null (not posted as 0)', count: 1 }]);
    expect(kept).toEqual({ value: 1532, time: T0 });
    expect(byName(back.samples)['gc.gc_num']).toBe(6);
  });

  it('difference 2: a counter missing on the first scrape sets no baseline', () => {
    const counters = memoryCounters();
    const out = parse(without(...COUNTERS), T0, counters);
    expect(byName(out.samples)).toEqual(FULL_GAUGES);
    expect(out.dropped).toEqual(COUNTERS.map((c) => ({ reason: `gostats counter ${c} missing or null (not posted as 0)`, count: 1 })));
    expect(counters.map.size).toBe(0);
  });
});

describe('gostats parity: null fields (Go: null into a number field is a no-op, the field stays 0)', () => {
  it('posts a null gauge as 0', () => {
    const out = parse({ ...FULL, goroutine_num: null, heap_inuse: null });
    expect(byName(out.samples)).toEqual({ ...FULL_GAUGES, 'runtime.goroutine_num': 0, 'heap.heap_inuse': 0 });
    expect(out.dropped).toEqual([BASELINE]);
  });

  it('difference 2: treats a null counter as missing', () => {
    const out = twoScrapes(FULL, { ...FULL, memory_mallocs: null });
    expect('operation.memory_mallocs' in byName(out.samples)).toBe(false);
    expect(out.dropped).toEqual([{ reason: 'gostats counter memory_mallocs missing or null (not posted as 0)', count: 1 }]);
  });

  it('ignores null in the fields the plugin never posts', () => {
    const out = parse({ ...FULL, time: null, go_version: null, gc_pause: null });
    expect(byName(out.samples)).toEqual(FULL_GAUGES);
  });
});

describe('gostats parity: fields of the wrong JSON type (plugin: UnmarshalTypeError, nothing posted)', () => {
  it.each([
    ['a numeric string', '"12"', 'is a string, not a number'],
    ['a boolean', 'true', 'is a boolean, not a number'],
    ['an object', '{"v":12}', 'is an object, not a number'],
    ['an array', '[12]', 'is an array, not a number'],
  ])('difference 3: leaves out only a gauge that is %s, counted under its name, and posts the rest', (_label, json, why) => {
    // Prepare: the text of a healthy body with heap_idle replaced
    const body = JSON.stringify(FULL).replace('"heap_idle":5341184', `"heap_idle":${json}`);
    // Act
    const out = parse(body);
    // Assess
    const { 'heap.heap_idle': _gone, ...rest } = FULL_GAUGES;
    expect(byName(out.samples)).toEqual(rest);
    expect(out.dropped).toEqual([BASELINE, { reason: `gostats field heap_idle ${why}`, count: 1 }]);
  });

  it('difference 3: leaves out a mistyped counter without touching its baseline', () => {
    // Prepare
    const counters = memoryCounters();
    parse(FULL, T0, counters);
    // Act
    const bad = parse({ ...FULL, gc_num: '1540' }, T0 + 60, counters);
    const next = parse({ ...FULL, gc_num: 1544 }, T0 + 120, counters);
    // Assess
    expect('gc.gc_num' in byName(bad.samples)).toBe(false);
    expect(bad.dropped).toEqual([{ reason: 'gostats field gc_num is a string, not a number', count: 1 }]);
    expect(byName(next.samples)['gc.gc_num']).toBe(6);
  });

  it('difference 3: does not check the fields the plugin decodes but never posts', () => {
    const out = parse({ ...FULL, time: 1.5, go_version: 5, cpu_num: 'two', gc_pause: 'none', heap_objects: -1 });
    expect(byName(out.samples)).toEqual(FULL_GAUGES);
    expect(out.dropped).toEqual([BASELINE]);
  });
});

describe('gostats parity: extra unknown fields (plugin: ignored by json.Decoder)', () => {
  it('posts exactly what the body without them posts', () => {
    const extra = { ...FULL, build: { commit: 'abc', dirty: false }, goroutine: 'x', memory_alloc_total: 'y', gc_num_total: [1] };
    expect(parse(extra)).toEqual(parse(FULL));
  });

  it('matches keys case-insensitively as Go does, including ſ (U+017F) and the Kelvin sign (U+212A)', () => {
    // Prepare
    const body = JSON.stringify(without('goroutine_num', 'memory_stack', 'gc_pause_per_second'))
      .replace(/}$/, ',"Goroutine_NUM":7,"memory_stac\u212A":11,"gc_pau\u017Fe_per_second":0.5,"heap_\u0131dle":99}');
    // Act
    const out = parse(body);
    // Assess: U+0131 (dotless i) does not fold onto i in Go, so heap_idle keeps its own value
    expect(byName(out.samples)).toEqual({ ...FULL_GAUGES, 'runtime.goroutine_num': 7, 'memory.memory_stack': 11, 'gc.gc_pause_per_second': 0.5 });
  });

  it('takes the last of two spellings of a key, as Go does', () => {
    const body = JSON.stringify(FULL).replace(/}$/, ',"GOROUTINE_NUM":43}');
    expect(byName(parse(body).samples)['runtime.goroutine_num']).toBe(43);
  });
});

describe('gostats parity: negative numbers', () => {
  it('posts a negative goroutine_num (Go int) and gc_per_second (float64) as they are, like the plugin', () => {
    const out = parse({ ...FULL, goroutine_num: -3, gc_per_second: -0.5 });
    expect(byName(out.samples)).toEqual({ ...FULL_GAUGES, 'runtime.goroutine_num': -3, 'gc.gc_per_second': -0.5 });
    expect(out.dropped).toEqual([BASELINE]);
  });

  it('diffs a negative cgo_call_num (Go int64) like the plugin: a rise is a rate, a fall posts 0', () => {
    const counters = memoryCounters();
    parse({ ...FULL, cgo_call_num: -10 }, T0, counters);
    const up = parse({ ...FULL, cgo_call_num: -4 }, T0 + 60, counters);
    const down = parse({ ...FULL, cgo_call_num: -9 }, T0 + 120, counters);
    expect(byName(up.samples)['runtime.cgo_call_num']).toBe(6);
    expect(byName(down.samples)['runtime.cgo_call_num']).toBe(0);
  });

  it('difference 3: leaves out a negative unsigned field (plugin: UnmarshalTypeError, nothing posted)', () => {
    const out = parse({ ...FULL, memory_sys: -1 });
    expect('memory.memory_sys' in byName(out.samples)).toBe(false);
    expect(Object.keys(byName(out.samples))).toHaveLength(8);
    expect(out.dropped).toEqual([BASELINE, { reason: 'gostats field memory_sys is negative (uint64 in the handler)', count: 1 }]);
  });
});

describe('gostats parity: fractional numbers', () => {
  it('difference 3: leaves out a fraction in an integer field (plugin: UnmarshalTypeError, nothing posted)', () => {
    const out = twoScrapes(FULL, { ...FULL, goroutine_num: 12.5, gc_num: 1540.5 });
    expect('runtime.goroutine_num' in byName(out.samples)).toBe(false);
    expect('gc.gc_num' in byName(out.samples)).toBe(false);
    expect(out.dropped).toEqual([
      { reason: 'gostats field goroutine_num is not an integer (int in the handler)', count: 1 },
      { reason: 'gostats field gc_num is not an integer (uint32 in the handler)', count: 1 },
    ]);
  });

  it('posts fractions in the float64 fields, like the plugin', () => {
    const out = parse({ ...FULL, gc_per_second: 0.016666, gc_pause_per_second: 12.75 });
    expect(byName(out.samples)).toMatchObject({ 'gc.gc_per_second': 0.016666, 'gc.gc_pause_per_second': 12.75 });
  });

  it('difference 4: takes 1.0 and 1e3 in integer fields as integers (Go refuses both)', () => {
    const body = JSON.stringify(FULL).replace('"goroutine_num":42', '"goroutine_num":42.0').replace('"memory_alloc":8421376', '"memory_alloc":8.421376e6');
    expect(byName(parse(body).samples)).toEqual(FULL_GAUGES);
  });

  it('difference 5: posts full precision where the plugin prints 6 decimals (%f)', () => {
    const out = twoScrapes(FULL, { ...FULL, gc_per_second: 1 / 3, gc_num: 1532 + 7 });
    expect(byName(out.samples)['gc.gc_per_second']).toBe(1 / 3); // plugin: 0.333333
    expect(byName(out.samples)['gc.gc_num']).toBe(7);
  });
});

describe('gostats parity: huge numbers', () => {
  it('posts the largest uint64 as the double the plugin posts (float64(2^64 - 1))', () => {
    const body = JSON.stringify(FULL).replace('"memory_sys":25769992', '"memory_sys":18446744073709551615');
    expect(byName(parse(body).samples)['memory.memory_sys']).toBe(18446744073709551616);
  });

  it('rounds a counter beyond 2^53 the way float64() does in the plugin', () => {
    const body = JSON.stringify(FULL).replace('"memory_alloc":8421376', '"memory_alloc":9007199254740993');
    expect(byName(parse(body).samples)['memory.memory_alloc']).toBe(9007199254740992);
  });

  it('accepts gc_num up to 2^32 - 1 and posts 0 when it wraps (uint32 in the runtime; plugin: counter reset)', () => {
    const out = twoScrapes({ ...FULL, gc_num: 4294967295 }, { ...FULL, gc_num: 3 });
    expect(byName(out.samples)['gc.gc_num']).toBe(0);
    expect(out.dropped).toEqual([]);
  });

  it.each([
    ['memory_sys', '1e20', 'is out of range (uint64 in the handler)'],
    ['gc_num', '4294967296', 'is out of range (uint32 in the handler)'],
    ['goroutine_num', '1e19', 'is out of range (int in the handler)'],
    ['memory_stack', '1e400', 'is out of range (uint64 in the handler)'],
    ['gc_per_second', '1e400', 'is out of range (float64 in the handler)'],
  ])('difference 3: leaves out %s = %s (plugin: UnmarshalTypeError, nothing posted)', (field, literal, why) => {
    const body = JSON.stringify(FULL).replace(new RegExp(`"${field}":[^,]+`), `"${field}":${literal}`);
    const out = parse(body);
    expect(Object.values(byName(out.samples)).every(Number.isFinite)).toBe(true);
    expect(out.dropped).toContainEqual({ reason: `gostats field ${field} ${why}`, count: 1 });
    expect(out.dropped).toHaveLength(2);
    expect(out.samples.some((s) => s.metric === field)).toBe(false);
  });
});

describe('gostats parity: NaN-like values', () => {
  it.each(['NaN', 'Infinity', '-Inf', '+Inf'])('difference 3: leaves out the string "%s" (plugin: UnmarshalTypeError)', (text) => {
    const out = parse({ ...FULL, gc_pause_per_second: text });
    expect('gc.gc_pause_per_second' in byName(out.samples)).toBe(false);
    expect(out.dropped).toEqual([BASELINE, { reason: 'gostats field gc_pause_per_second is a string, not a number', count: 1 }]);
  });

  it.each(['NaN', 'Infinity', '-Infinity'])('rejects a bare %s token as not JSON, like the plugin (syntax error)', (token) => {
    const body = JSON.stringify(FULL).replace('"gc_per_second":0.2', `"gc_per_second":${token}`);
    expect(parseError(body).message).toMatch(/^gostats body: not JSON: /);
  });
});

describe('gostats parity: bodies with nothing to post', () => {
  it.each([
    ['an empty object', '{}'],
    ['JSON null', 'null'],
    ['an object with every field null', JSON.stringify(Object.fromEntries(Object.keys(FULL).map((k) => [k, null])))],
    ["a health check's body", '{"status":"ok","uptime":12}'],
    ['an expvar body (memstats nested)', '{"cmdline":["/app"],"memstats":{"Alloc":1,"NumGC":2}}'],
  ])('difference 1: rejects %s (the plugin would post 0 for all 15 metrics)', (_label, body) => {
    const e = parseError(body);
    expect(e.message).toMatch(/^gostats body: (none of the 15 metric fields holds a usable number: not a golang-stats-api-handler body|expected a JSON object, got "null")$/);
  });

  it('rejects an object whose metric fields are all unusable, naming the first bad one', () => {
    const body = JSON.stringify({ goroutine_num: '42', memory_alloc: -1, gc_num: 1.5 });
    expect(parseError(body).message).toBe(
      'gostats body: none of the 15 metric fields holds a usable number (goroutine_num is a string, not a number): not a golang-stats-api-handler body',
    );
  });

  it('posts an object with one usable field: that value and 0 for the other gauges, like the plugin', () => {
    const out = parse('{"memory_alloc":1}');
    expect(byName(out.samples)).toEqual({
      'runtime.goroutine_num': 0, 'memory.memory_alloc': 1, 'memory.memory_sys': 0, 'memory.memory_stack': 0,
      'heap.heap_sys': 0, 'heap.heap_idle': 0, 'heap.heap_inuse': 0, 'gc.gc_per_second': 0, 'gc.gc_pause_per_second': 0,
    });
    expect(out.dropped).toHaveLength(6);
  });
});

describe('gostats parity: JSON that is not an object (plugin: UnmarshalTypeError into the Stats struct)', () => {
  it.each([
    ['an array', '[{"goroutine_num":1}]'],
    ['a number', '42'],
    ['a string', '"goroutine_num"'],
    ['a boolean', 'true'],
  ])('rejects %s', (_label, body) => {
    expect(parseError(body).message).toBe(`gostats body: expected a JSON object, got ${JSON.stringify(body)}`);
  });

  it.each([
    ['an empty body (plugin: EOF)', ''],
    ['whitespace only', ' \n'],
    ['a truncated object', '{"goroutine_num":4'],
    ['an HTML page', '<html>502</html>'],
  ])('rejects %s as not JSON', (_label, body) => {
    expect(parseError(body).message).toMatch(/^gostats body: not JSON: /);
  });

  it('ignores data after a complete object, as json.Decoder reads one value', () => {
    const body = `${JSON.stringify({ ...FULL, go_version: 'go"}{1' })}\n<!-- injected -->{`;
    expect(parse(body)).toEqual(parse(FULL));
  });
});

describe('gostats parity: the gc graph', () => {
  it('posts gc_per_second and gc_pause_per_second as the handler computed them, from the first scrape on', () => {
    // The plugin passes both through (the handler computes them since its previous call); neither is derived from gc_num.
    const out = parse({ ...FULL, gc_num: 0, gc_per_second: 2.5, gc_pause_per_second: 0.125 });
    expect(byName(out.samples)).toMatchObject({ 'gc.gc_per_second': 2.5, 'gc.gc_pause_per_second': 0.125 });
    expect('gc.gc_num' in byName(out.samples)).toBe(false);
  });

  it('does not recompute them from gc_num across scrapes', () => {
    const out = twoScrapes(FULL, { ...FULL, gc_num: 1532 + 30, gc_per_second: 0.2, gc_pause_per_second: 0.41 });
    expect(byName(out.samples)).toMatchObject({ 'gc.gc_num': 30, 'gc.gc_per_second': 0.2, 'gc.gc_pause_per_second': 0.41 });
  });

  it('posts gc_num as (cur - prev) * 60 / elapsed, like go-mackerel-plugin calcDiff with its tempfile state', () => {
    const counters = memoryCounters();
    parse(FULL, T0, counters);
    const out = parse({ ...FULL, gc_num: 1532 + 7 }, T0 + 90, counters);
    expect(byName(out.samples)['gc.gc_num']).toBeCloseTo(7 * 60 / 90, 12);
  });
});
