import { Counter, Gauge, Histogram, Registry, Summary } from 'prom-client';
import { parseBody, ParseError, type ParseContext, type ParseOutput } from '../../src/parse';
import { MACKEREL_ACCEPT_WINDOW_S as PARSE_WINDOW_S } from '../../src/parse/sampleTime';
import { nameSeries } from '../../src/parse/seriesName';
import { MACKEREL_ACCEPT_WINDOW_S } from '../../src/pipeline/retryQueue';
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
    s.latency.observe({ route: 'home' }, 0.5);
    s.size.observe({ route: 'home' }, 100);
    const counters = memoryCounters();
    // Act
    const first = parse(await s.registry.metrics(), ctx(T0, counters));
    s.requests.inc({ method: 'GET', code: '200' }, 600);
    s.sent.inc(6000);
    s.latency.observe({ route: 'home' }, 0.7);
    s.size.observe({ route: 'home' }, 300);
    const second = parse(await s.registry.metrics(), ctx(T0 + 60, counters));
    // Assess
    expect(values(first.samples)).toEqual({
      'queue_depth.mail': 7,
      'temperature.value': 21.5,
      'response_size_bytes.home_q0_5': 100,
      'response_size_bytes.home_q0_99': 100,
    });
    expect(first.dropped).toEqual([
      { reason: 'counter baseline (first sample)', count: 7 },
      { reason: 'histogram buckets not posted', count: 3 },
    ]);
    const v = values(second.samples);
    // Label values in label-name order: code before method.
    expect(v['http_requests_total.200_GET']).toBe(10);
    expect(v['http_requests_total.500_POST']).toBe(0);
    expect(v['sent_bytes_total.value']).toBe(100);
    expect(v['http_request_duration_seconds_count.home']).toBeCloseTo(1 / 60);
    expect(v['http_request_duration_seconds_sum.home']).toBeCloseTo(0.7 / 60);
    expect(v['response_size_bytes_count.home']).toBeCloseTo(1 / 60);
    expect(v['response_size_bytes_sum.home']).toBeCloseTo(5);
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

  it('unescapes label values and names the series by the unescaped values', async () => {
    // Prepare
    const s = service();
    s.requests.inc({ method: 'we"ird\\x\ny', code: '' }, 2);
    const body = await s.registry.metrics();
    // Act
    const counters = memoryCounters();
    parse(body, ctx(T0, counters));
    s.requests.inc({ method: 'we"ird\\x\ny', code: '' }, 60);
    const out = parse(await s.registry.metrics(), ctx(T0 + 60, counters));
    // Assess: the line prom-client wrote holds \" \\ \n, and the empty `code` value is no label at all
    expect(body).toContain('http_requests_total{method="we\\"ird\\\\x\\ny",code=""} 2');
    const requests = out.samples.filter((x) => x.graph === 'http_requests_total');
    expect(requests.map((x) => [x.metric, x.value])).toEqual([[nameSeries([['method', 'we"ird\\x\ny']], false).node, 1]]);
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

  it('posts two series the old rule merged under two names', () => {
    const out = parse('g{a="x/y"} 1\ng{a="x y"} 2\ng{a="x",b="y"} 3\ng{a="x_y"} 4\n', ctx(T0));
    expect(out.samples.map((x) => x.value)).toEqual([1, 2, 3, 4]);
    expect(new Set(out.samples.map((x) => x.metric)).size).toBe(4);
    expect(out.dropped).toEqual([]);
  });

  it('keeps the first of a series given twice, labels in any order, and counts the repeat', () => {
    const out = parse('g{a="x",b="y"} 1\ng{b="y",a="x",c=""} 2\n', ctx(T0));
    expect(values(out.samples)).toEqual({ 'g.x_y': 1 });
    expect(out.dropped).toEqual([{ reason: 'duplicate series', count: 1 }]);
    expect(out.collisions).toEqual([]);
  });

  it.each([
    ['the same value under another label name', 'g{a="x"} 1\ng{b="x"} 2\ng{c="x"} 3\n', 'g.x', 2],
    ['a label value `value` and an unlabelled series', 'g 1\ng{a="value"} 2\n', 'g.value', 1],
    ['family names that sanitise alike', 'a:b 1\na_b 2\n', 'a_b.value', 1],
  ])('reports %s as a name collision and posts only the first', (_case, body, name, count) => {
    // Act
    const out = parse(body, ctx(T0));
    // Assess
    expect(out.samples.map((x) => [`${x.graph}.${x.metric}`, x.value])).toEqual([[name, 1]]);
    const [graph, metric] = name.split('.');
    expect(out.collisions).toEqual([{ name, graph, metric, count }]);
    expect(out.dropped).toEqual([{ reason: 'name collision', count }]);
  });

  it('never lets two series that share a name share a counter baseline across cycles', () => {
    // Prepare: `a:b_total` and `a_b_total` both post as `a_b_total.value`
    const counters = memoryCounters();
    parse('a:b_total 100\n', ctx(T0, counters));
    // Act
    const other = parse('a_b_total 160\n', ctx(T0 + 60, counters));
    const same = parse('a_b_total 220\n', ctx(T0 + 120, counters));
    // Assess: the second family starts its own baseline instead of a rate of 1/s
    expect(other.samples).toEqual([]);
    expect(other.dropped).toEqual([{ reason: 'counter baseline (first sample)', count: 1 }]);
    expect(values(same.samples)).toEqual({ 'a_b_total.value': 1 });
  });

  it('posts an empty body as no samples', () => {
    expect(parse('', ctx(T0))).toEqual({ samples: [], graphs: [], dropped: [], collisions: [] });
  });

  it.each([
    ['a label without quotes', 'bad{a=b} 1', /expected '"' before label value at column 7/],
    ['an unterminated label value', 'bad{a="b} 1', /unterminated label value/],
    ['a missing value', 'lonely', /expected a value/],
    ['a word as value', 'a one', /bad value "one"/],
    ['a bad timestamp', 'a 1 soon', /bad timestamp/],
    ['text after the timestamp', 'a 1 2 3', /unexpected text after timestamp/],
    ['a label given twice', 'a{x="1",x="2"} 1', /label "x" given twice/],
    ['a malformed exemplar', 'a 1 # trace=abc', /expected '\{' after '#'/],
    ['a TYPE line without a type', '# TYPE a', /expected a type/],
    ['a TYPE line with an unknown type', '# TYPE a gauges', /unknown metric type "gauges"/],
  ])('skips and counts %s, and posts the lines around it', (_label, line, reason) => {
    // Act
    const out = parse(`ok 1\n${line}\nqueue_depth{queue="mail"} 7\n`, ctx(T0));
    const alone = parseBody('prometheus', line, ctx(T0));
    // Assess
    expect(values(out.samples)).toEqual({ 'ok.value': 1, 'queue_depth.mail': 7 });
    expect(out.dropped).toEqual([{ reason: 'unparsable line', count: 1 }]);
    // The same line alone: nothing readable, so the body is invalid and the error names the line.
    expect(alone.ok).toBe(false);
    if (!alone.ok) expect(alone.error.message).toMatch(reason);
  });

  it.each([
    ['an HTML page', '<!DOCTYPE html>\n<html><body>Not Found</body></html>\n', 1, /expected a metric name/],
    ['a JSON document', '\n{"goroutine_num": 42}\n', 2, /a metric name where a label was expected|expected/],
    ['comments and a line of text', '# metrics\n\nservice unavailable\n', 3, /bad value "unavailable"/],
    ['text after # EOF only', '# EOF\nup 1\n', 2, /text after # EOF/],
  ])('rejects a body where no line is a sample and some line is unparsable: %s', (_label, body, line, reason) => {
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

  it('reads a body of comments only as no samples, not as an error', () => {
    expect(parse('# HELP up Up.\n# TYPE up gauge\n# just a note\n', ctx(T0))).toEqual({ samples: [], graphs: [], dropped: [], collisions: [] });
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

describe('Prometheus text: lines Prometheus reads', () => {
  it('keeps an unknown escape as written, as Prometheus does: C:\\Windows and C:\\\\Windows are one series', () => {
    // Prepare: `\W` is no escape Prometheus resolves, `\\` is a backslash
    const body = 'win_path{p="C:\\Windows"} 1\nwin_path{p="C:\\\\Windows"} 2\nwin_path{p="C:Windows"} 3\n';
    // Act
    const out = parse(body, ctx(T0));
    // Assess
    expect(out.samples.map((x) => [x.metric, x.value])).toEqual([
      [nameSeries([['p', 'C:\\Windows']], false).node, 1],
      [nameSeries([['p', 'C:Windows']], false).node, 3],
    ]);
    expect(out.dropped).toEqual([{ reason: 'duplicate series', count: 1 }]);
  });

  it('skips a bare # HELP, # UNIT and a #TYPE without a blank (a comment), never an error', () => {
    const out = parse('# HELP \n# HELP\n# UNIT up seconds\n#TYPE up counter\nup 1\n', ctx(T0));
    // `#TYPE` is a comment, so up stays a gauge and posts at once.
    expect(values(out.samples)).toEqual({ 'up.value': 1 });
    expect(out.dropped).toEqual([]);
  });

  it('reads a TYPE line without a type as unparsable and the family as untyped', () => {
    const out = parse('# TYPE jobs\njobs 4\n', ctx(T0));
    expect(values(out.samples)).toEqual({ 'jobs.value': 4 });
    expect(out.dropped).toEqual([{ reason: 'unparsable line', count: 1 }]);
  });

  it('reads pairs without a comma between them, as Prometheus does', () => {
    const out = parse('g{a="x" b="y"} 1\n', ctx(T0));
    expect(values(out.samples)).toEqual({ 'g.x_y': 1 });
  });

  it('reads quoted UTF-8 metric and label names (Prometheus 3) with the legacy name in the graph', () => {
    // Prepare
    const body = '# TYPE "my.latency" summary\n{"my.latency",quantile="0.5"} 2\n{"my.requests", "http.method"="GET"} 3\n';
    // Act
    const out = parse(body, ctx(T0));
    // Assess
    expect(values(out.samples)).toEqual({ 'my_latency.q0_5': 2, 'my_requests.GET': 3 });
    expect(out.dropped).toEqual([]);
  });

  it('ends the body at # EOF and counts the lines after it as unparsable', () => {
    const out = parse('up 1\n# EOF\nlate 2\n\nlater 3\n', ctx(T0));
    expect(values(out.samples)).toEqual({ 'up.value': 1 });
    expect(out.dropped).toEqual([{ reason: 'unparsable line', count: 2 }]);
  });

  it('ignores an OpenMetrics exemplar after the value and the timestamp', () => {
    // Prepare
    const body = [
      '# TYPE g gauge',
      'g{a="1"} 5 # {trace_id="abc"} 1.0 1767225590.000',
      `g{a="2"} 6 ${(T0 - 5) * 1000} # {trace_id="def",span_id="1"} 0.5`,
      '# EOF',
    ].join('\n');
    // Act
    const out = parse(body, ctx(T0));
    // Assess
    expect(out.samples).toEqual([
      { graph: 'g', metric: '1', value: 5, time: T0 },
      { graph: 'g', metric: '2', value: 6, time: T0 - 5 },
    ]);
    expect(out.dropped).toEqual([]);
  });
});

describe('Prometheus text: explicit timestamps', () => {
  it('agrees with the retry queue on Mackerel\'s 24 h window', () => {
    expect(PARSE_WINDOW_S).toBe(MACKEREL_ACCEPT_WINDOW_S);
  });

  it('posts a sample at its own time (milliseconds, or OpenMetrics seconds), floored to a second', () => {
    const body = `a 1 ${(T0 - 3600) * 1000 + 999}\nb 2 ${T0 - 86000}.75\nc 3\n`;
    const out = parse(body, ctx(T0));
    expect(out.samples.map((x) => [x.graph, x.time])).toEqual([
      ['a', T0 - 3600],
      ['b', T0 - 86000],
      ['c', T0],
    ]);
  });

  it('drops and counts a sample older than 24 h or more than 10 minutes ahead', () => {
    // Prepare
    const ms = (t: number) => t * 1000;
    const body = [
      `old 1 ${ms(T0 - 24 * 3600 - 1)}`,
      `edge 2 ${ms(T0 - 24 * 3600)}`,
      `soon 3 ${ms(T0 + 600)}`,
      `future 4 ${ms(T0 + 601)}`,
      `seconds_as_ms 5 ${T0}`,
    ].join('\n');
    // Act
    const out = parse(body, ctx(T0));
    // Assess
    expect(values(out.samples)).toEqual({ 'edge.value': 2, 'soon.value': 3 });
    expect(out.dropped).toEqual([{ reason: "timestamp outside Mackerel's window", count: 3 }]);
  });

  it('takes a counter rate over the samples\' own times, not the scrape times', () => {
    // Prepare: scraped 60 s apart, but the exporter's samples are 40 s apart
    const counters = memoryCounters();
    parse(`jobs_total 100 ${(T0 - 30) * 1000}\n`, ctx(T0, counters));
    // Act
    const out = parse(`jobs_total 140 ${(T0 + 10) * 1000}\n`, ctx(T0 + 60, counters));
    // Assess
    expect(out.samples).toEqual([{ graph: 'jobs_total', metric: 'value', value: 1, time: T0 + 10 }]);
  });

  it('leaves the counter baseline alone when a sample is outside the window', () => {
    const counters = memoryCounters();
    parse('jobs_total 100\n', ctx(T0, counters));
    parse(`jobs_total 999999 ${(T0 - 90000) * 1000}\n`, ctx(T0 + 30, counters));
    const out = parse('jobs_total 160\n', ctx(T0 + 60, counters));
    expect(values(out.samples)).toEqual({ 'jobs_total.value': 1 });
  });
});

describe('Prometheus text: what each type posts', () => {
  it('does not post info metrics: typed info, or a gauge or untyped *_info of value 1', () => {
    // Prepare
    const body = [
      '# TYPE target info',
      'target_info{env="prod"} 1',
      '# TYPE build_info gauge',
      'build_info{version="1.2.3"} 1',
      'go_info{version="go1.22"} 1',
      'weird_info 2',
    ].join('\n');
    // Act
    const out = parse(body, ctx(T0));
    // Assess
    expect(values(out.samples)).toEqual({ 'weird_info.value': 2 });
    expect(out.dropped).toEqual([{ reason: 'info metric not posted', count: 3 }]);
  });

  it('posts a gauge histogram\'s _gcount and _gsum as gauges at once and not its buckets', () => {
    // Prepare
    const body = ['# TYPE queue_wait_seconds gaugehistogram', 'queue_wait_seconds_bucket{le="1"} 3', 'queue_wait_seconds_bucket{le="+Inf"} 5', 'queue_wait_seconds_gcount 5', 'queue_wait_seconds_gsum 12.5'].join('\n');
    // Act
    const out = parse(body, ctx(T0));
    // Assess
    expect(values(out.samples)).toEqual({ 'queue_wait_seconds_gcount.value': 5, 'queue_wait_seconds_gsum.value': 12.5 });
    expect(out.graphs.find((g) => g.graph === 'queue_wait_seconds_gsum')?.unit).toBe('seconds');
    expect(out.dropped).toEqual([{ reason: 'histogram buckets not posted', count: 2 }]);
  });

  it('posts each state of a stateset as a 0/1 gauge', () => {
    const out = parse('# TYPE feature stateset\nfeature{feature="a"} 1\nfeature{feature="b"} 0\n', ctx(T0));
    expect(values(out.samples)).toEqual({ 'feature.a': 1, 'feature.b': 0 });
  });

  it('does not post a histogram\'s or summary\'s _created series', () => {
    const body = '# TYPE h histogram\nh_count 1\nh_sum 2\nh_created 1767000000\n# TYPE s summary\ns_created 1767000000\n';
    const out = parse(body, ctx(T0));
    expect(out.dropped).toContainEqual({ reason: 'created timestamps not posted', count: 2 });
  });
});

