import { parseBody, type ParseOutput } from '../../src/parse';
import type { MetricFormat } from '../../src/types';
import { memoryCounters } from './memoryCounters';

const T0 = 1767225600;
const MIB = 1024 * 1024;

function parse(format: MetricFormat, body: string): ParseOutput {
  const r = parseBody(format, body, { targetId: 'c1/3f2a9c1e/web:9100', now: T0, counters: memoryCounters() });
  if (!r.ok) throw r.error;
  return r.value;
}
const tooLong = (out: ParseOutput) => out.dropped.find((d) => d.reason === 'metric name too long')?.count;
const longest = (out: ParseOutput) => Math.max(0, ...out.samples.map((s) => s.graph.length + s.metric.length));

describe('over-long names in a Prometheus body', () => {
  it('drops and counts a 10 MiB family name and posts the lines around it', () => {
    // Prepare
    const body = `up 1\n${'a'.repeat(10 * MIB)} 1\nqueue_depth{queue="mail"} 7\n`;
    // Act
    const out = parse('prometheus', body);
    // Assess
    expect(out.samples.map((s) => `${s.graph}.${s.metric}`)).toEqual(['up.value', 'queue_depth.mail']);
    expect(tooLong(out)).toBe(1);
  });

  it('drops and counts a series with a 1 MiB label value, escapes included', () => {
    // Prepare
    const huge = `${'v'.repeat(MIB)}\\"${'w'.repeat(1000)}`;
    const body = `# TYPE req counter\nreq{path="${huge}",code="200"} 5\nreq{path="/",code="200"} 3\n`;
    // Act
    const out = parse('prometheus', body);
    // Assess
    expect(out.graphs.map((g) => g.graph)).toEqual(['req']);
    expect(tooLong(out)).toBe(1);
    expect(longest(out)).toBeLessThan(20);
  });

  it('ignores the TYPE line of an over-long family and counts its samples', () => {
    const family = 'f'.repeat(600);
    const out = parse('prometheus', `# HELP ${family} help\n# TYPE ${family} counter\n${family}_total 1\n${family}_total{a="b"} 2\n`);
    expect([out.samples.length, tooLong(out)]).toEqual([0, 2]);
  });

  it('keeps a family name that can still fit a metric name for naming to judge', () => {
    const family = 'f'.repeat(300);
    const out = parse('prometheus', `${family} 1\n`);
    expect(out.samples.map((s) => s.graph)).toEqual([family]);
  });

  it('still rejects a malformed over-long line as malformed', () => {
    const r = parseBody('prometheus', `x{a="${'v'.repeat(MIB)}"`, { targetId: 't', now: T0, counters: memoryCounters() });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/expected ',' or '}' after label value/);
  });
});

describe('over-long names in plugin text', () => {
  it('drops and counts a 1 MiB metric name and keeps the other lines', () => {
    // Prepare
    const body = `jobs.depth\t7\t${T0}\n${'a'.repeat(MIB)}.x\t1\t${T0}\n`;
    // Act
    const out = parse('plugin', body);
    // Assess
    expect(out.samples.map((s) => `${s.graph}.${s.metric}`)).toEqual(['jobs.depth']);
    expect(tooLong(out)).toBe(1);
  });
});
