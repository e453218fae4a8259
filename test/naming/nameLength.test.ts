import { MAX_METRIC_NAME_LENGTH, metricName, NamingError } from '../../src/mackerel/naming';

/** A sample whose name `custom.p.k.<graph>.m` is exactly `length` characters. */
const sampleOfLength = (length: number) => ({ graph: 'g'.repeat(length - 'custom.p.k..m'.length), metric: 'm' });

describe('metric name length', () => {
  it('builds a name of exactly 255 characters', () => {
    // Act
    const r = metricName('p', 'k', sampleOfLength(MAX_METRIC_NAME_LENGTH));
    // Assess
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value).toHaveLength(255);
  });

  it('refuses a name of 256 characters as too long, quoting only its start', () => {
    // Act
    const r = metricName('p', 'k', sampleOfLength(MAX_METRIC_NAME_LENGTH + 1));
    // Assess
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toBeInstanceOf(NamingError);
    expect(r.error.kind).toBe('too-long');
    expect(r.error.message).toMatch(/longer than 255 characters/);
    expect(r.error.message.length).toBeLessThan(200);
  });

  it('refuses a 10 MiB label series without building a 10 MiB name', () => {
    // Act
    const r = metricName('prometheus', 'api-3f2a9c1e', { graph: 'http_requests_total', metric: 'x'.repeat(10 * 1024 * 1024) });
    // Assess
    expect(r.ok).toBe(false);
    if (!r.ok) expect([r.error.kind, r.error.message.length < 200]).toEqual(['too-long', true]);
  });

  it('counts the sanitised length: 200 emoji (400 UTF-16 units) make a 200-character node that fits', () => {
    // Act
    const r = metricName('p', 'k', { graph: 'g', metric: '🚀'.repeat(200) });
    // Assess
    expect(r).toEqual({ ok: true, value: `custom.p.k.g.${'_'.repeat(200)}` });
  });

  it('still reports an empty node as invalid, not as too long', () => {
    const r = metricName('p', 'k', { graph: 'a..b', metric: 'm' });
    expect(!r.ok && r.error.kind).toBe('invalid');
  });
});
