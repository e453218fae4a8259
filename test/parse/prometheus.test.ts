import { Counter, Gauge, Histogram, Registry, Summary } from 'prom-client';
import { parseBody, ParseError, type ParseContext, type ParseOutput } from '../../src/parse';
import type { Sample } from '../../src/types';
import { memoryCounters } from './memoryCounters';

const T0 = 1767225600;
const TARGET = 'c1/3f2a9c1e/web:9100';

function ctx(now: number, counters = memoryCounters(), extra: Partial<ParseContext> = {}): ParseContext {
  return { targetId: TARGET, now, counters, ...extra };
}
function parse(body: string, c: ParseContext): ParseOutput {
  const r = parseBody('prometheus', body, c);
  if (!r.ok) throw r.error;
  return r.value;
}
const values = (samples: readonly Sample[]) => Object.fromEntries(samples.map((s) => [`${s.graph}.${s.metric}`, s.value]));

/** A service instrumented with prom-client, as the simulator's sample services are. */
function service() {
  const registry = new Registry();
  const requests = new Counter({ name: 'http_requests_total', help: 'Requests', labelNames: ['method', 'code'], registers: [registry] });
  const sent = new Counter({ name: 'sent_bytes_total', help: 'Bytes', registers: [registry] });
  const queue = new Gauge({ name: 'queue_depth', help: 'Queue', labelNames: ['queue'], registers: [registry] });
  const temp = new Gauge({ name: 'temperature', help: 'Unlabelled gauge', registers: [registry] });
  const latency = new Histogram({ name: 'http_request_duration_seconds', help: 'Latency', labelNames: ['route'], buckets: [0.1, 1], registers: [registry] });
  const size = new Summary({ name: 'response_size_bytes', help: 'Size', labelNames: ['route'], percentiles: [0.5, 0.99], registers: [registry] });
  return { registry, requests, sent, queue, temp, latency, size };
}

describe('Prometheus text body', () => {
  it('posts gauges and summary quantiles at once and counters as per-second rates one cycle later', async () => {
    // Prepare
    const s = service();
    s.requests.inc({ method: 'GET', code: '200' }, 100);
    s.requests.inc({ method: 'POST', code: '500' }, 4);
    s.sent.inc(1000);
    s.queue.set({ queue: 'mail' }, 7);
    s.temp.set(21.5);
    s.latency.observe({ route: '/a' }, 0.5);
    s.size.observe({ route: '/a' }, 100);
    const counters = memoryCounters();
    // Act
    const first = parse(await s.registry.metrics(), ctx(T0, counters));
    s.requests.inc({ method: 'GET', code: '200' }, 600);
    s.sent.inc(6000);
    s.latency.observe({ route: '/a' }, 0.7);
    s.size.observe({ route: '/a' }, 300);
    const second = parse(await s.registry.metrics(), ctx(T0 + 60, counters));
    // Assess
    expect(values(first.samples)).toEqual({
      'queue_depth.mail': 7,
      'temperature.value': 21.5,
      'response_size_bytes._a_q0_5': 100,
      'response_size_bytes._a_q0_99': 100,
    });
    expect(first.dropped).toEqual([
      { reason: 'counter baseline (first sample)', count: 7 },
      { reason: 'histogram buckets not posted', count: 3 },
    ]);
    const v = values(second.samples);
    expect(v['http_requests_total.GET_200']).toBe(10);
    expect(v['http_requests_total.POST_500']).toBe(0);
    expect(v['sent_bytes_total.value']).toBe(100);
    expect(v['http_request_duration_seconds_count._a']).toBeCloseTo(1 / 60);
    expect(v['http_request_duration_seconds_sum._a']).toBeCloseTo(0.7 / 60);
    expect(v['response_size_bytes_count._a']).toBeCloseTo(1 / 60);
    expect(v['response_size_bytes_sum._a']).toBeCloseTo(5);
    expect(second.samples.every((x) => x.time === T0 + 60)).toBe(true);
  });

  it('describes one graph per family with a unit from its name and a * metric for label series', async () => {
    // Prepare
    const s = service();
    s.requests.inc({ method: 'GET', code: '200' });
    s.sent.inc();
    s.queue.set({ queue: 'mail' }, 1);
    s.temp.set(1);
    s.latency.observe({ route: '/a' }, 0.5);
    s.size.observe({ route: '/a' }, 100);
    // Act
    const out = parse(await s.registry.metrics(), ctx(T0));
    // Assess
    expect(out.graphs.map((g) => [g.graph, g.unit, g.metrics.map((m) => `${m.name}=${m.displayName}`).join()])).toEqual([
      ['http_requests_total', 'float', '*=%1'],
      ['sent_bytes_total', 'bytes/sec', 'value='],
      ['queue_depth', 'float', '*=%1'],
      ['temperature', 'float', 'value='],
      ['http_request_duration_seconds_sum', 'float', '*=%1'],
      ['http_request_duration_seconds_count', 'float', '*=%1'],
      ['response_size_bytes', 'bytes', '*=%1'],
      ['response_size_bytes_sum', 'bytes/sec', '*=%1'],
      ['response_size_bytes_count', 'float', '*=%1'],
    ]);
  });

  it('unescapes label values and sanitises them into one metric node', async () => {
    // Prepare
    const s = service();
    s.requests.inc({ method: 'we"ird\\x\ny', code: '' }, 2);
    const body = await s.registry.metrics();
    // Act
    const counters = memoryCounters();
    parse(body, ctx(T0, counters));
    // Assess: the line prom-client wrote holds \" \\ \n, and the empty `code` value is skipped
    expect(body).toContain('http_requests_total{method="we\\"ird\\\\x\\ny",code=""} 2');
    expect([...counters.map.keys()]).toContain(`${TARGET}|prom.http_requests_total.we_ird_x_y`);
  });

  it('drops and counts NaN and infinite values', () => {
    // Prepare: prom-client writes NaN as `Nan`; Go accepts any case
    const body = ['# TYPE a gauge', 'a{x="1"} Nan', 'a{x="2"} +Inf', 'a{x="3"} -Inf', 'a{x="4"} 1.5e3', 'b NaN', ''].join('\n');
    // Act
    const out = parse(body, ctx(T0));
    // Assess
    expect(values(out.samples)).toEqual({ 'a.4': 1500 });
    expect(out.dropped).toEqual([{ reason: 'NaN or infinite value', count: 4 }]);
  });

  it('reads comments, blank lines, CRLF, timestamps, spaces inside braces and a trailing comma', () => {
    const body = '# a comment\r\n\r\n# HELP up 1 if up\r\n# TYPE up gauge\r\nup 1 1767225600000\r\n  spaced { a = "x" , b="y", } \t2\r\n# EOF\r\n';
    const out = parse(body, ctx(T0));
    expect(values(out.samples)).toEqual({ 'up.value': 1, 'spaced.x_y': 2 });
  });

  it('treats an untyped _total family as a counter and re-baselines after a reset', () => {
    // Prepare
    const counters = memoryCounters();
    parse('jobs_total 100\n', ctx(T0, counters));
    // Act
    const reset = parse('jobs_total 5\n', ctx(T0 + 60, counters));
    const after = parse('jobs_total 65\n', ctx(T0 + 120, counters));
    // Assess
    expect(reset.samples).toEqual([]);
    expect(reset.dropped).toEqual([{ reason: 'counter reset (re-baselined)', count: 1 }]);
    expect(values(after.samples)).toEqual({ 'jobs_total.value': 1 });
  });

  it('maps an OpenMetrics-style counter (TYPE without _total) and drops its _created series', () => {
    const counters = memoryCounters();
    const body = (v: number) => `# TYPE jobs counter\njobs_total ${v}\njobs_created 1767000000\n`;
    parse(body(10), ctx(T0, counters));
    const out = parse(body(70), ctx(T0 + 60, counters));
    expect(values(out.samples)).toEqual({ 'jobs_total.value': 1 });
    expect(out.dropped).toEqual([{ reason: 'created timestamps not posted', count: 1 }]);
  });

  it('bounds series per family and per target and counts the overflow', () => {
    // Prepare
    const lines = ['# TYPE wide gauge'];
    for (let i = 0; i < 8; i++) lines.push(`wide{id="${i}"} ${i}`);
    lines.push('narrow 1', 'other{a="1"} 1', 'other{a="2"} 2');
    // Act
    const out = parse(lines.join('\n'), ctx(T0, memoryCounters(), { maxSeriesPerFamily: 5, maxSeriesPerTarget: 7 }));
    // Assess
    expect(out.samples.map((x) => `${x.graph}.${x.metric}`)).toEqual(['wide.0', 'wide.1', 'wide.2', 'wide.3', 'wide.4', 'narrow.value', 'other.1']);
    expect(out.dropped).toEqual([
      { reason: 'series over the per-family limit', count: 3 },
      { reason: 'series over the per-target limit', count: 1 },
    ]);
  });

  it('keeps the first of two series that sanitise to the same name', () => {
    const out = parse('g{a="x/y"} 1\ng{a="x y"} 2\n', ctx(T0));
    expect(values(out.samples)).toEqual({ 'g.x_y': 1 });
    expect(out.dropped).toEqual([{ reason: 'duplicate series after sanitising', count: 1 }]);
  });

  it('posts an empty body as no samples', () => {
    expect(parse('', ctx(T0))).toEqual({ samples: [], graphs: [], dropped: [] });
  });

  it.each([
    ['a label without quotes', 'ok 1\nbad{a=b} 1\n', 2, /expected '"' before label value at column 7/],
    ['an unterminated label value', '\nbad{a="b} 1', 2, /unterminated label value/],
    ['a bad escape', 'bad{a="\\t"} 1', 1, /bad escape/],
    ['a missing value', 'a 1\nb 2\nlonely', 3, /expected a value/],
    ['a word as value', 'a one', 1, /bad value "one"/],
    ['a bad timestamp', 'a 1 soon', 1, /bad timestamp/],
    ['text after the timestamp', 'a 1 2 3', 1, /unexpected text after timestamp/],
    ['an HTML page', '<html>', 1, /expected a metric name/],
    ['a TYPE line without a type', '# TYPE a', 1, /expected a type/],
  ])('rejects the whole body on %s, with the line number', (_label, body, line, reason) => {
    // Act
    const r = parseBody('prometheus', body, ctx(T0));
    // Assess
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toBeInstanceOf(ParseError);
    expect((r.error as ParseError).line).toBe(line);
    expect(r.error.message).toMatch(new RegExp(`^prometheus body line ${line}: `));
    expect(r.error.message).toMatch(reason);
  });

  it('quotes at most 80 characters of a long malformed line', () => {
    const r = parseBody('prometheus', `x{a="${'v'.repeat(100000)}`, ctx(T0));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message.length).toBeLessThan(200);
  });

  it('parses a 150,000-series body without backtracking trouble', () => {
    // Prepare: one family per 50 series so nothing is bounded away
    const lines: string[] = [];
    for (let f = 0; f < 3000; f++) {
      lines.push(`# TYPE fam${f}_bytes gauge`);
      for (let i = 0; i < 50; i++) lines.push(`fam${f}_bytes{pod="p${i}",zone="z"} ${i}`);
    }
    // Act
    const out = parse(lines.join('\n'), ctx(T0, memoryCounters(), { maxSeriesPerTarget: 200000 }));
    // Assess
    expect(out.samples).toHaveLength(150000);
    expect(out.graphs).toHaveLength(3000);
  });
});
