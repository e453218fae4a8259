import { createHash } from 'node:crypto';
import { parseBody, type ParseOutput } from '../../src/parse';
import { MAX_SERIES_NODE_LENGTH, nameSeries, seriesIdentity, type LabelPair } from '../../src/parse/seriesName';
import { memoryCounters } from './memoryCounters';

const T0 = 1767225600;
const HEX8 = '[0-9a-f]{8}';

/** The digest the rule documents, computed here independently: SHA-256 of the JSON of the sorted non-empty pairs. */
function digestOf(pairs: readonly LabelPair[]): string {
  return createHash('sha256').update(JSON.stringify(pairs)).digest('hex').slice(0, 8);
}
const node = (labels: readonly LabelPair[], summary = false) => nameSeries(labels, summary).node;
function parse(body: string): ParseOutput {
  const r = parseBody('prometheus', body, { targetId: 'c1/3f2a9c1e/web:9100', now: T0, counters: memoryCounters() });
  if (!r.ok) throw r.error;
  return r.value;
}

describe('series names: the examples of the rule', () => {
  it('keeps node_exporter-like labels in the plain form, values in label-name order', () => {
    expect(node([['cpu', '0'], ['mode', 'idle']])).toBe('0_idle');
    expect(node([['mode', 'idle'], ['cpu', '0']])).toBe('0_idle');
    expect(node([['method', 'GET'], ['code', '200']])).toBe('200_GET');
    expect(node([['device', 'eth0'], ['le', '-1']])).toBe('eth0_-1');
  });

  it('names an unlabelled series `value` and ignores labels with empty values', () => {
    expect(node([])).toBe('value');
    expect(node([['a', '']])).toBe('value');
    expect(node([['a', 'x'], ['b', '']])).toBe('x');
    expect(nameSeries([['a', 'x'], ['b', '']], false).identity).toBe(nameSeries([['a', 'x']], false).identity);
  });

  it('writes a summary quantile last as q0_99, and only in a summary family', () => {
    expect(node([['quantile', '0.99']], true)).toBe('q0_99');
    expect(node([['quantile', '0.5'], ['code', '200']], true)).toBe('200_q0_5');
    expect(node([['zone', 'a'], ['quantile', '1']], true)).toBe('a_q1');
    // Elsewhere `quantile` is an ordinary label, and `0.99` holds a dot: digest form.
    expect(node([['quantile', '0.99']], false)).toMatch(new RegExp(`^0_99__${HEX8}$`));
  });

  it('gives a quantile that is not a plain decimal the digest form', () => {
    expect(node([['quantile', '+Inf']], true)).toBe(`q_Inf__${digestOf([['quantile', '+Inf']])}`);
    expect(node([['quantile', 'NaN']], true)).toMatch(new RegExp(`^qNaN__${HEX8}$`));
  });

  it('gives values outside [A-Za-z0-9-] a readable part and the digest of the identity', () => {
    expect(node([['path', '/api/users']])).toBe(`api_users__${digestOf([['path', '/api/users']])}`);
    expect(node([['a', 'x_y']])).toBe(`x_y__${digestOf([['a', 'x_y']])}`);
    expect(node([['route', '/a'], ['code', '200']])).toBe(`200_a__${digestOf([['code', '200'], ['route', '/a']])}`);
  });

  it('names a value with nothing readable by its digest alone, so 東京 and 大阪 differ', () => {
    const tokyo = node([['name', '東京']]);
    const osaka = node([['name', '大阪']]);
    expect(tokyo).toBe(`__${digestOf([['name', '東京']])}`);
    expect(osaka).toBe(`__${digestOf([['name', '大阪']])}`);
    expect(tokyo).not.toBe(osaka);
  });

  it('tells apart the series the old rule merged', () => {
    expect(node([['a', 'x_y']])).not.toBe(node([['a', 'x'], ['b', 'y']]));
    expect(node([['p', '/a.b']])).not.toBe(node([['p', '/a_b']]));
    expect(node([['p', 'x/y']])).not.toBe(node([['p', 'x y']]));
  });

  it('keeps every node within 64 characters, a long plain form taking the digest form', () => {
    // Prepare
    const long = 'a'.repeat(40);
    // Act
    const twoLong = node([['a', long], ['b', long]]);
    const oneLongOdd = node([['a', `${'/'.repeat(3)}${'b'.repeat(300)}`]]);
    // Assess
    expect(twoLong).toMatch(new RegExp(`^a{40}_a{13}__${HEX8}$`));
    expect(twoLong.length).toBe(MAX_SERIES_NODE_LENGTH);
    expect(oneLongOdd).toMatch(new RegExp(`^b{54}__${HEX8}$`));
    expect(node([['a', 'c'.repeat(64)]])).toBe('c'.repeat(64));
  });

  it('takes the identity as a set: label order and empty labels do not matter', () => {
    expect(seriesIdentity([['b', '2'], ['a', '1'], ['c', '']])).toEqual([['a', '1'], ['b', '2']]);
    expect(nameSeries([['b', '/2'], ['a', '1']], false)).toEqual(nameSeries([['a', '1'], ['b', '/2']], false));
  });
});

describe('series names: injective except the documented label-name cases', () => {
  const TRICKY = ['x_y', 'x', 'y', '/a.b', '/a_b', '東京', '大阪', '', 'value', 'q0', '99', 'a'.repeat(70), `${'a'.repeat(70)}b`, 'a'.repeat(54), '__', '-'];
  const LABELS = ['a', 'b', 'quantile'];

  /** Every assignment of a tricky value (or none) to each label. */
  function allLabelSets(): LabelPair[][] {
    let sets: LabelPair[][] = [[]];
    for (const label of LABELS) {
      const next: LabelPair[][] = [];
      for (const s of sets) {
        next.push(s);
        for (const v of [...TRICKY, '0.99', '0_99']) next.push([...s, [label, v]]);
      }
      sets = next;
    }
    return sets;
  }

  /** The values in the node's order: label-name order, a summary's quantile last as `q<value>`. */
  function rendered(pairs: readonly LabelPair[], summary: boolean): string[] {
    const quantile = summary ? pairs.find(([n]) => n === 'quantile') : undefined;
    const rest = pairs.filter((p) => p !== quantile).map(([, v]) => v);
    return quantile ? [...rest, `q${quantile[1]}`] : rest;
  }

  /**
   * The collisions the rule documents: the same values under other label names; the value `value` alone vs an
   * unlabelled series; in a summary family, a series without a quantile whose last two values read like one.
   * All three are plain forms: a digest form carries the label names too.
   */
  function documented(a: readonly LabelPair[], b: readonly LabelPair[], nodeOf: string, summary: boolean): boolean {
    if (nodeOf.includes('__')) return false;
    const names = (p: readonly LabelPair[]) => p.map(([n]) => n).join();
    const ra = rendered(a, summary);
    const rb = rendered(b, summary);
    if (names(a) !== names(b) && ra.join('\0') === rb.join('\0')) return true;
    const lone = (x: readonly string[], y: readonly string[]) => x.length === 0 && y.join() === 'value';
    if (lone(ra, rb) || lone(rb, ra)) return true;
    const looksQuantile = (withQ: readonly string[], without: readonly string[]) =>
      withQ.slice(0, -1).join('\0') === without.slice(0, -2).join('\0') && withQ.at(-1) === without.slice(-2).join('.');
    const hasQ = (p: readonly LabelPair[]) => p.some(([n]) => n === 'quantile');
    return summary && hasQ(a) !== hasQ(b) && (hasQ(a) ? looksQuantile(ra, rb) : looksQuantile(rb, ra));
  }

  it.each([false, true])('maps distinct identities to distinct nodes (summary family: %s)', (summary) => {
    // Prepare
    const byNode = new Map<string, { identity: string; pairs: LabelPair[] }>();
    const undocumented: string[] = [];
    let identities = 0;
    // Act
    const seen = new Set<string>();
    for (const labels of allLabelSets()) {
      const { node: n, identity } = nameSeries(labels, summary);
      if (seen.has(identity)) continue;
      seen.add(identity);
      identities++;
      expect(n).toMatch(/^[-a-zA-Z0-9_]{1,64}$/);
      const pairs = seriesIdentity(labels);
      const prev = byNode.get(n);
      if (prev === undefined) byNode.set(n, { identity, pairs });
      else if (!documented(prev.pairs, pairs, n, summary)) undocumented.push(`${prev.identity} and ${identity} → ${n}`);
    }
    // Assess
    expect(identities).toBeGreaterThan(4000);
    expect(undocumented).toEqual([]);
  });

  it('does collide on the documented cases (so the parser must detect them)', () => {
    expect(node([['a', 'x']])).toBe(node([['b', 'x']]));
    expect(node([['a', 'value']])).toBe(node([]));
    expect(node([['a', 'q0'], ['b', '99']], true)).toBe(node([['quantile', '0.99']], true));
  });
});

describe('series names in a parsed body', () => {
  it('does not depend on the other series of the body', () => {
    // Prepare
    const shared = ['# TYPE req gauge', 'req{path="/a",code="200"} 1', 'req{path="/b",code="200"} 2', 'city{name="東京"} 3', 'g{a="x_y"} 4'];
    const withNeighbours = [...shared, 'req{path="/a",code="500"} 5', 'city{name="大阪"} 6', 'g{a="x",b="y"} 7', 'g{a="x"} 8'];
    // Act
    const alone = parse(shared.join('\n'));
    const crowded = parse(withNeighbours.join('\n'));
    // Assess
    const names = (o: ParseOutput) => o.samples.map((s) => `${s.graph}.${s.metric}=${s.value}`);
    for (const name of names(alone)) expect(names(crowded)).toContain(name);
    expect(names(alone)).toHaveLength(4);
  });
});
