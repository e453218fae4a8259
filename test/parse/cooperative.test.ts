import { parseBody, parseBodyCooperatively, ParseError } from '../../src/parse';
import type { MetricFormat } from '../../src/types';
import { memoryCounters } from './memoryCounters';

const T0 = 1767225600;

/** A Prometheus body of `lines` series: 400 counter families of up to 50 label series each, plus the overflow. */
function bigPrometheus(lines: number): string {
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    const f = i % 400;
    if (i < 400) out.push(`# TYPE fam${f}_total counter`);
    out.push(`fam${f}_total{shard="s${Math.floor(i / 400)}"} ${i * 3}`);
  }
  return `${out.join('\n')}\n`;
}

function bigPluginText(lines: number): string {
  const out: string[] = [];
  for (let i = 0; i < lines; i++) out.push(`app.g${i % 300}.m${i % 7}\t${i}\t${T0}`);
  return out.join('\n');
}

// Built once: several slices of parsing each (a slice is 10 ms; these take hundreds).
const BIG_PROMETHEUS = bigPrometheus(100_000);
const BIG_PLUGIN = bigPluginText(100_000);

const ctx = (counters = memoryCounters(), now = T0) => ({ targetId: 'c1/3f2a9c1e/web:9100', now, counters });

describe('parsing a large body cooperatively', () => {
  it.each<[MetricFormat, string]>([
    ['prometheus', BIG_PROMETHEUS],
    ['plugin', BIG_PLUGIN],
  ])('gives exactly what the one-go parse gives (%s), counter baselines included', async (format, body) => {
    // Prepare: two cycles, so that counters take the rate path the second time
    const once = memoryCounters();
    const sliced = memoryCounters();
    // Act
    const a1 = parseBody(format, body, ctx(once));
    const b1 = await parseBodyCooperatively(format, body, ctx(sliced));
    const a2 = parseBody(format, body, ctx(once, T0 + 60));
    const b2 = await parseBodyCooperatively(format, body, ctx(sliced, T0 + 60));
    // Assess
    expect(b1).toEqual(a1);
    expect(b2).toEqual(a2);
    expect(a2.ok && a2.value.samples.length).toBeGreaterThan(100);
    expect([...sliced.map]).toEqual([...once.map]);
  });

  it('lets a timer and an immediate scheduled before the parse run before it finishes', async () => {
    // Prepare
    const order: string[] = [];
    setTimeout(() => order.push('timer'), 0);
    setImmediate(() => order.push('immediate'));
    // Act
    const parsed = await parseBodyCooperatively('prometheus', BIG_PROMETHEUS, ctx());
    order.push('parsed');
    // Assess
    expect(parsed.ok).toBe(true);
    expect(order).toEqual(expect.arrayContaining(['timer', 'immediate']));
    expect(order.at(-1)).toBe('parsed');
  });

  it('serves another socket-like callback while two large bodies are parsed at once', async () => {
    // Prepare: a callback that re-arms itself, as a stream of I/O would
    let ticks = 0;
    let running = true;
    const tick = (): void => {
      ticks++;
      if (running) setTimeout(tick, 0);
    };
    setTimeout(tick, 0);
    // Act
    const results = await Promise.all([
      parseBodyCooperatively('prometheus', BIG_PROMETHEUS, ctx()),
      parseBodyCooperatively('plugin', BIG_PLUGIN, ctx()),
    ]);
    running = false;
    // Assess: it ran while the parses were going on, not only once they were done
    expect(results.every((r) => r.ok)).toBe(true);
    expect(ticks).toBeGreaterThan(2);
  });

  it('stops when the cycle is aborted mid-parse and says so', async () => {
    // Prepare
    const cycle = new AbortController();
    setImmediate(() => cycle.abort());
    // Act
    const r = await parseBodyCooperatively('prometheus', BIG_PROMETHEUS, ctx(), cycle.signal);
    // Assess
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toBeInstanceOf(ParseError);
    expect(r.error.message).toMatch(/^prometheus body: aborted before the body was parsed/);
  });

  it('parses a small body without waiting for the event loop', async () => {
    // Prepare
    const order: string[] = [];
    setImmediate(() => order.push('immediate'));
    // Act
    const r = await parseBodyCooperatively('prometheus', '# TYPE up gauge\nup 1\n', ctx());
    order.push('parsed');
    // Assess
    expect(r.ok && r.value.samples).toEqual([{ graph: 'up', metric: 'value', value: 1, time: T0 }]);
    expect(order).toEqual(['parsed']);
  });
});
