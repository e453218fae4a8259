/**
 * Which names of a target are posted: include, then exclude, both matched against the whole `<graph>.<metric>`,
 * then the name cap in code-unit order.
 */
import {
  DEFAULT_MAX_NAMES_PER_TARGET,
  DROP_EXCLUDED,
  DROP_NOT_INCLUDED,
  DROP_OVER_MAX_NAMES,
  selectNames,
  targetFilter,
  type MetricFilter,
} from '../../src/filter/metricFilter';
import { cachedPatternCount, compileFilterPattern, MAX_CACHED_PATTERNS } from '../../src/filter/patternCache';

function filterOf(fields: { include?: string; exclude?: string; maxNames?: number }): MetricFilter {
  const r = targetFilter({ id: 'prod/t/app:9100', ...fields }, DEFAULT_MAX_NAMES_PER_TARGET);
  if (!r.ok) throw r.error;
  return r.value;
}

const NODE_NAMES = [
  'node_cpu_seconds_total.0_idle',
  'node_cpu_seconds_total.0_user',
  'node_cpu_guest_seconds_total.0_nice',
  'node_filesystem_avail_bytes.dev_nvme0n1p1_ext4_',
  'node_filesystem_avail_bytes.tmpfs_tmpfs__run',
  'node_network_receive_bytes_total.eth0',
  'node_network_receive_bytes_total.lo',
  'node_memory_MemAvailable_bytes.value',
];

describe('selectNames: include and exclude', () => {
  it('keeps every name when the target has no patterns and fewer names than the cap', () => {
    const s = selectNames(NODE_NAMES, filterOf({}));
    expect([...s.kept].sort()).toEqual([...NODE_NAMES].sort());
    expect(s.dropped.size).toBe(0);
  });

  it('matches the whole name: a pattern that only matches a prefix of it keeps nothing', () => {
    // Act
    const prefixOnly = selectNames(NODE_NAMES, filterOf({ include: 'node_cpu' }));
    const whole = selectNames(NODE_NAMES, filterOf({ include: 'node_cpu_.*' }));

    // Assess
    expect(prefixOnly.kept.size).toBe(0);
    expect([...whole.kept].sort()).toEqual(['node_cpu_guest_seconds_total.0_nice', 'node_cpu_seconds_total.0_idle', 'node_cpu_seconds_total.0_user']);
  });

  it('anchors an alternation as a whole, so `a|b` cannot match a name that merely starts with a', () => {
    const s = selectNames(['node_load1.value', 'node_load15.value', 'node_load1x.value'], filterOf({ include: 'node_load1\\.value|node_load15\\.value' }));
    expect([...s.kept].sort()).toEqual(['node_load1.value', 'node_load15.value']);
  });

  it('anchors exclude too: a name only partly matched is kept', () => {
    const s = selectNames(NODE_NAMES, filterOf({ exclude: 'lo' }));
    expect(s.dropped.size).toBe(0);
  });

  it('applies include first, then exclude, and says which filter dropped each name', () => {
    // Act
    const s = selectNames(NODE_NAMES, filterOf({ include: 'node_(cpu|network)_.*', exclude: 'node_cpu_guest_.*|.*\\.lo' }));

    // Assess
    expect([...s.kept].sort()).toEqual(['node_cpu_seconds_total.0_idle', 'node_cpu_seconds_total.0_user', 'node_network_receive_bytes_total.eth0']);
    expect(Object.fromEntries(s.dropped)).toEqual({
      'node_cpu_guest_seconds_total.0_nice': DROP_EXCLUDED,
      'node_network_receive_bytes_total.lo': DROP_EXCLUDED,
      'node_filesystem_avail_bytes.dev_nvme0n1p1_ext4_': DROP_NOT_INCLUDED,
      'node_filesystem_avail_bytes.tmpfs_tmpfs__run': DROP_NOT_INCLUDED,
      'node_memory_MemAvailable_bytes.value': DROP_NOT_INCLUDED,
    });
  });

  it('counts a name matched by neither as not included, even when exclude would match it', () => {
    const s = selectNames(['a.x'], filterOf({ include: 'b\\..*', exclude: 'a\\..*' }));
    expect(s.dropped.get('a.x')).toBe(DROP_NOT_INCLUDED);
  });
});

describe('selectNames: the cap', () => {
  it('keeps the first names in code-unit order and drops the rest as over the cap', () => {
    // Act
    const s = selectNames(['b.z', 'B.a', 'a.b', 'a.a', '_x.y'], filterOf({ maxNames: 3 }));

    // Assess: 'B' (0x42) < '_' (0x5f) < 'a' (0x61), whatever the locale.
    expect([...s.kept].sort()).toEqual(['B.a', '_x.y', 'a.a']);
    expect(Object.fromEntries(s.dropped)).toEqual({ 'a.b': DROP_OVER_MAX_NAMES, 'b.z': DROP_OVER_MAX_NAMES });
  });

  it('keeps the same names whatever order the exporter wrote them in', () => {
    // Prepare
    const names = Array.from({ length: 50 }, (_, i) => `g${i % 7}.m${(i * 37) % 50}`);
    // Another order of the same names: every 13th, wrapping around (13 and 50 are coprime).
    const shuffled = names.map((_, i) => names[(i * 13) % names.length] ?? '');

    // Act
    const first = selectNames(names, filterOf({ maxNames: 10 }));
    const again = selectNames(shuffled, filterOf({ maxNames: 10 }));

    // Assess
    expect([...again.kept].sort()).toEqual([...first.kept].sort());
    expect(first.kept.size).toBe(10);
  });

  it('counts the cap after include and exclude, so filtered names leave room for others', () => {
    const s = selectNames(['a.1', 'a.2', 'b.1', 'b.2'], filterOf({ exclude: 'a\\..*', maxNames: 2 }));
    expect([...s.kept].sort()).toEqual(['b.1', 'b.2']);
  });

  it('counts a name given twice once', () => {
    const s = selectNames(['a.1', 'a.1', 'a.2'], filterOf({ maxNames: 2 }));
    expect(s.kept.size).toBe(2);
    expect(s.dropped.size).toBe(0);
  });

  it("splits at most one graph, since a graph's names sort together", () => {
    const names = ['cpu.0', 'cpu.1', 'disk.a', 'disk.b', 'disk.c', 'mem.free', 'mem.used'];
    const s = selectNames([...names].reverse(), filterOf({ maxNames: 4 }));
    expect([...s.kept].sort()).toEqual(['cpu.0', 'cpu.1', 'disk.a', 'disk.b']);
  });
});

describe('targetFilter', () => {
  it('uses MAX_NAMES_PER_TARGET unless the target has its own cap', () => {
    expect(targetFilter({ id: 't' }, 120)).toMatchObject({ ok: true, value: { maxNames: 120 } });
    expect(targetFilter({ id: 't', maxNames: 7 }, 120)).toMatchObject({ ok: true, value: { maxNames: 7 } });
  });

  it('returns a FilterError naming the field and quoting the pattern for a pattern that does not compile', () => {
    // Act
    const r = targetFilter({ id: 'prod/t/app:9100', exclude: '(?!up).*' }, 200);

    // Assess
    if (r.ok) throw new Error('expected the filter to be refused');
    expect(r.error.name).toBe('FilterError');
    expect(r.error.targetId).toBe('prod/t/app:9100');
    expect(r.error.message).toBe('metric filter: exclude "(?!up).*" is not a valid regular expression: lookahead is not supported: patterns run in linear time (RE2 syntax)');
  });
});

describe('compileFilterPattern', () => {
  it('compiles a source once and returns the same compiled pattern for every target that uses it', () => {
    const first = compileFilterPattern('node_cpu_.*');
    const again = compileFilterPattern('node_cpu_.*');
    expect(first.ok && again.ok && first.value === again.value).toBe(true);
  });

  it('keeps at most MAX_CACHED_PATTERNS sources, however many distinct ones task definitions bring', () => {
    for (let i = 0; i < MAX_CACHED_PATTERNS + 50; i++) compileFilterPattern(`family_${i}\\..*`);
    expect(cachedPatternCount()).toBe(MAX_CACHED_PATTERNS);
    expect(compileFilterPattern(`family_${MAX_CACHED_PATTERNS + 49}\\..*`).ok).toBe(true);
  });
});
