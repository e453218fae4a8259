import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseBody, type ParseContext, type ParseOutput } from '../../src/parse';
import type { Sample } from '../../src/types';
import { countSampleLines, droppedTotal, nameProblems, postedNames, PROM_FIXTURES, readBody } from './corpusCases';
import { memoryCounters } from './memoryCounters';

/**
 * Two real /metrics bodies each from Debian's node_exporter and Prometheus, recorded 15 s apart
 * (test/fixtures/prometheus/README.md), parsed as two collector cycles.
 */

interface Recording {
  readonly package: string;
  readonly version: string;
  readonly files: readonly [string, string];
  /** Epoch seconds of each recording: the cycles' `now`. */
  readonly times: readonly [number, number];
}
const RECORDINGS = JSON.parse(readFileSync(path.join(PROM_FIXTURES, 'recordings.json'), 'utf8')) as Record<string, Recording>;

/** A counter to check: its family's TYPE and the series exactly as the exporter writes it. */
interface CounterCheck {
  readonly family: string;
  readonly type: string;
  readonly series: string;
}

const EXPORTERS: readonly { readonly name: string; readonly key: string; readonly counters: readonly CounterCheck[] }[] = [
  {
    name: 'node_exporter',
    key: 'node-exporter-3f2a9c1e',
    counters: [
      { family: 'node_cpu_seconds_total', type: 'counter', series: 'node_cpu_seconds_total{cpu="0",mode="idle"}' },
      { family: 'node_context_switches_total', type: 'counter', series: 'node_context_switches_total' },
      { family: 'node_disk_written_bytes_total', type: 'counter', series: 'node_disk_written_bytes_total{device="vda"}' },
    ],
  },
  {
    name: 'prometheus',
    key: 'prometheus-3f2a9c1e',
    counters: [
      { family: 'prometheus_http_requests_total', type: 'counter', series: 'prometheus_http_requests_total{code="200",handler="/metrics"}' },
      { family: 'prometheus_tsdb_head_samples_appended_total', type: 'counter', series: 'prometheus_tsdb_head_samples_appended_total{type="float"}' },
      { family: 'prometheus_http_request_duration_seconds', type: 'histogram', series: 'prometheus_http_request_duration_seconds_count{handler="/metrics"}' },
    ],
  },
];

function parse(body: string, ctx: ParseContext): ParseOutput {
  const r = parseBody('prometheus', body, ctx);
  if (!r.ok) throw r.error;
  return r.value;
}

/**
 * Where the parser posts one series, learnt from the parser itself on a body holding only that series (so this
 * test does not restate the naming rule): two cycles, the second posts the rate.
 */
function postedAs(check: CounterCheck): Pick<Sample, 'graph' | 'metric'> {
  const counters = memoryCounters();
  const ctx = (now: number): ParseContext => ({ targetId: 'probe', now, counters });
  parse(`# TYPE ${check.family} ${check.type}\n${check.series} 1\n`, ctx(1000));
  const second = parse(`# TYPE ${check.family} ${check.type}\n${check.series} 2\n`, ctx(1001));
  expect(second.samples).toHaveLength(1);
  const [s] = second.samples;
  if (s === undefined) throw new Error(`no sample for ${check.series}`);
  return { graph: s.graph, metric: s.metric };
}

/** The value of a series in a raw body, read without the parser: the line that starts with the series text. */
function rawValue(body: string, series: string): number {
  const lines = body.split('\n').filter((l) => l.startsWith(`${series} `));
  expect(lines).toHaveLength(1);
  const token = (lines[0] ?? '').slice(series.length).trim().split(/\s+/)[0];
  const v = Number(token);
  expect(Number.isFinite(v)).toBe(true);
  return v;
}

describe.each(EXPORTERS)('$name bodies from Debian', ({ name, key, counters: checks }) => {
  const rec = RECORDINGS[name];
  if (rec === undefined) throw new Error(`no recording ${name} in recordings.json`);
  const [t1, t2] = rec.times;
  const bodies = rec.files.map((f) => readBody(path.join(PROM_FIXTURES, f)));
  const [body1 = '', body2 = ''] = bodies;

  function cycles(): [ParseOutput, ParseOutput] {
    const counters = memoryCounters();
    const target = `c1/3f2a9c1e/${name}:9100`;
    return [parse(body1, { targetId: target, now: t1, counters }), parse(body2, { targetId: target, now: t2, counters })];
  }

  it('parses both recordings as two cycles and accounts for every sample line', () => {
    // Act
    const [first, second] = cycles();
    // Assess: an independent count of the body's sample lines = posted + dropped (any reason).
    expect(countSampleLines(body1)).toBeGreaterThan(300);
    expect(first.samples.length + droppedTotal(first.dropped)).toBe(countSampleLines(body1));
    expect(second.samples.length + droppedTotal(second.dropped)).toBe(countSampleLines(body2));
    // Real exporter output is well-formed: nothing is unreadable, nothing is a duplicate.
    const reasons = [...first.dropped, ...second.dropped].map((d) => d.reason);
    expect(reasons.filter((r) => /unparsable|malformed|duplicate|collision/i.test(r))).toEqual([]);
    // Counters post from the second cycle on.
    expect(second.samples.length).toBeGreaterThan(first.samples.length);
    expect(second.samples.every((s) => s.time === t2)).toBe(true);
  });

  it('builds a valid Mackerel name for every posted sample', () => {
    // Act
    const [first, second] = cycles();
    // Assess
    expect(nameProblems(first.samples, key)).toEqual([]);
    expect(nameProblems(second.samples, key)).toEqual([]);
    expect(new Set(postedNames(second.samples, key)).size).toBe(second.samples.length);
  });

  it.each(checks)('posts $series as (v2 - v1) / (t2 - t1) in the second cycle', (check) => {
    // Prepare
    const at = postedAs(check);
    const expected = (rawValue(body2, check.series) - rawValue(body1, check.series)) / (t2 - t1);
    expect(expected).toBeGreaterThan(0);
    // Act
    const [first, second] = cycles();
    // Assess
    const find = (out: ParseOutput) => out.samples.filter((s) => s.graph === at.graph && s.metric === at.metric);
    expect(find(first)).toEqual([]);
    const posted = find(second);
    expect(posted).toHaveLength(1);
    expect(posted[0]?.value).toBeCloseTo(expected, 12);
  });

  it('posts the names of the golden file (regenerate with UPDATE_GOLDEN=1)', () => {
    // Prepare
    const golden = path.join(PROM_FIXTURES, `${name}.names.golden`);
    const [, second] = cycles();
    const names = `${postedNames(second.samples, key).join('\n')}\n`;
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(golden, names);
    // Assess
    expect(names).toBe(readFileSync(golden, 'utf8'));
  });
});
