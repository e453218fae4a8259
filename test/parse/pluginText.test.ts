import { graphDefinitions } from '../../src/mackerel/graphDefs';
import { metricName } from '../../src/mackerel/naming';
import { parseBody, ParseError, type ParseOutput } from '../../src/parse';
import { memoryCounters } from './memoryCounters';

const NOW = 1767225600;
const TARGET = 'c1/3f2a9c1e/worker:8000';

function parse(body: string, maxSeriesPerTarget?: number): ParseOutput {
  const r = parseBody('plugin', body, { targetId: TARGET, now: NOW, counters: memoryCounters(), maxSeriesPerTarget });
  if (!r.ok) throw r.error;
  return r.value;
}

/** reference/gostats-plugin-output.txt: META output of the real plugin (two graphs of five kept). */
const META = [
  '# mackerel-agent-plugin',
  JSON.stringify({
    graphs: {
      'gostats.37693.runtime': { label: 'Gostats.37693 Runtime', unit: 'integer', metrics: [
        { name: 'goroutine_num', label: 'Goroutine Num', stacked: false }, { name: 'cgo_call_num', label: 'CGO Call Num', stacked: false }] },
      'gostats.37693.heap': { label: 'Gostats.37693 Heap', unit: 'bytes', metrics: [
        { name: 'heap_sys', label: 'Sys', stacked: false }, { name: 'heap_inuse', label: 'In Use', stacked: true }] },
    },
  }),
];
/** Run 2 of the real plugin, in its random key order. */
const VALUES = [
  'gostats.37693.runtime.goroutine_num\t12\t1795634133',
  'gostats.37693.runtime.cgo_call_num\t60\t1795634133',
  'gostats.37693.heap.heap_sys\t6291456\t1795634133',
  'gostats.37693.gc.gc_pause_per_second\t0.125000\t1795634133',
];

describe('mackerel plugin text body', () => {
  it("keeps the plugin's own names: graph = all but the last node, metric = the last node", () => {
    // Act
    const out = parse(VALUES.join('\n'));
    // Assess
    expect(out.samples).toEqual([
      { graph: 'gostats.37693.runtime', metric: 'goroutine_num', value: 12, time: NOW },
      { graph: 'gostats.37693.runtime', metric: 'cgo_call_num', value: 60, time: NOW },
      { graph: 'gostats.37693.heap', metric: 'heap_sys', value: 6291456, time: NOW },
      { graph: 'gostats.37693.gc', metric: 'gc_pause_per_second', value: 0.125, time: NOW },
    ]);
    const first = out.samples[0];
    expect(first && metricName('plugin', 'api-3f2a9c1e', first)).toEqual({ ok: true, value: 'custom.plugin.api-3f2a9c1e.gostats.37693.runtime.goroutine_num' });
  });

  it('ignores the plugin timestamp, as the agent does by default', () => {
    const out = parse('a.b 1 1000000000\n');
    expect(out.samples[0]?.time).toBe(NOW);
  });

  it('labels graphs from META and falls back to float and a * metric for graphs META does not cover', () => {
    // Act
    const out = parse([...META, ...VALUES].join('\n'));
    // Assess
    expect(out.samples).toHaveLength(4);
    expect(out.graphs).toEqual([
      { graph: 'gostats.37693.runtime', displayName: 'Gostats.37693 Runtime', unit: 'integer', metrics: [
        { name: 'goroutine_num', displayName: 'Goroutine Num', stacked: false }, { name: 'cgo_call_num', displayName: 'CGO Call Num', stacked: false }] },
      { graph: 'gostats.37693.heap', displayName: 'Gostats.37693 Heap', unit: 'bytes', metrics: [
        { name: 'heap_sys', displayName: 'Sys', stacked: false }, { name: 'heap_inuse', displayName: 'In Use', stacked: true }] },
      { graph: 'gostats.37693.gc', displayName: 'gostats.37693.gc', unit: 'float', metrics: [{ name: '*', displayName: '%1' }] },
    ]);
    expect(graphDefinitions('plugin', out.graphs).map((d) => [d.name, d.unit, d.metrics.map((m) => `${m.name.split('.').pop()}=${m.displayName}`).join()])).toEqual([
      ['custom.plugin.#.gostats.37693.runtime', 'integer', 'goroutine_num=%1 Goroutine Num,cgo_call_num=%1 CGO Call Num'],
      ['custom.plugin.#.gostats.37693.heap', 'bytes', 'heap_sys=%1 Sys,heap_inuse=%1 In Use'],
      ['custom.plugin.#.gostats.37693.gc', 'float', '*=%1 %2'],
    ]);
  });

  it('turns wildcard META (docker-style # key, fluentd-style * metric) into valid task-grouped definitions', () => {
    // Prepare
    const meta = JSON.stringify({ graphs: {
      'docker.cpuacct.#': { label: 'Docker CPU', unit: 'percentage', metrics: [{ name: 'user', label: '%1 user' }] },
      retry_count: { label: 'Fluentd retry count', metrics: [{ name: '*', label: '%1' }] },
    } });
    // Act
    const out = parse(['# mackerel-agent-plugin', meta, 'docker.cpuacct.web.user 3 0', 'retry_count.out_s3 1 0'].join('\n'));
    const defs = graphDefinitions('plugin', out.graphs);
    // Assess
    expect(out.graphs.map((g) => g.graph)).toEqual(['docker.cpuacct.#', 'retry_count']);
    expect(defs.map((d) => [d.name, d.metrics[0]?.name, d.metrics[0]?.displayName])).toEqual([
      ['custom.plugin.#.docker.cpuacct.*', 'custom.plugin.#.docker.cpuacct.*.user', '%1 %2 user'],
      ['custom.plugin.#.retry_count', 'custom.plugin.#.retry_count.*', '%1 %2'],
    ]);
  });

  it('drops and counts lines the agent would skip, and posts the rest', () => {
    // Prepare
    const body = [
      '# a comment',
      'two.fields 1',
      'bad.value one 1795634133',
      'bad/name 1 1795634133',
      'empty..node 1 1795634133',
      'not.finite NaN 1795634133',
      '  spaced.out   2   1795634133  ',
      'extra.fields 3 1795634133 ignored',
      'repeat.me 1 0',
      'repeat.me 2 0',
      '',
    ].join('\n');
    // Act
    const out = parse(body);
    // Assess
    expect(out.samples.map((s) => [`${s.graph}.${s.metric}`, s.value])).toEqual([['spaced.out', 2], ['extra.fields', 3], ['repeat.me', 2]]);
    expect(out.dropped).toEqual([
      { reason: 'malformed plugin line', count: 2 },
      { reason: 'invalid plugin metric name', count: 2 },
      { reason: 'NaN or infinite value', count: 1 },
    ]);
  });

  it('gives a one-node name its own graph with metric "value"', () => {
    const out = parse('uptime 42 0');
    expect(out.samples).toEqual([{ graph: 'uptime', metric: 'value', value: 42, time: NOW }]);
  });

  it('counts META that is not valid JSON and still reads the values', () => {
    const out = parse('# mackerel-agent-plugin\n{"graphs": \na.b 1 0\n');
    expect(out.samples).toHaveLength(1);
    expect(out.dropped).toEqual([{ reason: 'invalid plugin META', count: 1 }]);
  });

  it('bounds the series of one target', () => {
    const out = parse('a.x 1 0\na.y 2 0\na.z 3 0\n', 2);
    expect(out.samples).toHaveLength(2);
    expect(out.dropped).toEqual([{ reason: 'series over the per-target limit', count: 1 }]);
  });

  it.each([
    ['an empty body', ''],
    ['only comments and META', META.join('\n')],
    ['only malformed lines', `hello world\n${'<html>'.repeat(1000)}`],
  ])('rejects %s with a ParseError', (_label, body) => {
    // Act
    const r = parseBody('plugin', body, { targetId: TARGET, now: NOW, counters: memoryCounters() });
    // Assess
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toBeInstanceOf(ParseError);
    expect(r.error.message).toMatch(/^plugin body: no "<name>\\t<value>\\t<epoch>" line in the body/);
    expect(r.error.message.length).toBeLessThan(200);
  });
});
