import { graphDefinition, graphDefinitions, isValidGraphDef } from '../../src/mackerel/graphDefs';
import { GOSTATS_GRAPHS, type GraphMeta } from '../../src/parse';
import type { GraphDef } from '../../src/types';

describe('graph definitions', () => {
  it("defines the seed's gostats graphs with the task key as # and %1 in every label", () => {
    // Act
    const defs = graphDefinitions('gostats', GOSTATS_GRAPHS);
    // Assess
    expect(defs.map((d) => d.name)).toEqual([
      'custom.gostats.#.runtime',
      'custom.gostats.#.memory',
      'custom.gostats.#.operation',
      'custom.gostats.#.heap',
      'custom.gostats.#.gc',
    ]);
    expect(defs[0]).toEqual({
      name: 'custom.gostats.#.runtime',
      displayName: 'Gostats Runtime',
      unit: 'integer',
      metrics: [
        { name: 'custom.gostats.#.runtime.goroutine_num', displayName: '%1 Goroutine Num', isStacked: false },
        { name: 'custom.gostats.#.runtime.cgo_call_num', displayName: '%1 CGO Call Num', isStacked: false },
      ],
    });
    expect(defs.every(isValidGraphDef)).toBe(true);
  });

  it('labels Prometheus label series "%1 %2" (task, series) and an unlabelled series "%1"', () => {
    // Prepare
    const labelled: GraphMeta = { graph: 'http_requests_total', displayName: 'http_requests_total', unit: 'float', metrics: [{ name: '*', displayName: '%1' }] };
    const single: GraphMeta = { graph: 'temperature', displayName: 'temperature', unit: 'float', metrics: [{ name: 'value', displayName: '' }] };
    // Act
    const [a, b] = [graphDefinition('app', labelled), graphDefinition('app', single)];
    // Assess
    expect(a.metrics).toEqual([{ name: 'custom.app.#.http_requests_total.*', displayName: '%1 %2', isStacked: false }]);
    expect(b.metrics).toEqual([{ name: 'custom.app.#.temperature.value', displayName: '%1', isStacked: false }]);
    expect(isValidGraphDef(a) && isValidGraphDef(b)).toBe(true);
  });

  it('posts one definition per graph name, joining the metrics many targets reported', () => {
    // Prepare
    const m = (name: string): GraphMeta => ({ graph: 'jobs', displayName: 'Jobs', unit: 'integer', metrics: [{ name, displayName: name }] });
    // Act
    const defs = graphDefinitions('worker', [m('done'), m('failed'), m('done')]);
    // Assess
    expect(defs).toHaveLength(1);
    expect(defs[0]?.metrics.map((x) => x.name)).toEqual(['custom.worker.#.jobs.done', 'custom.worker.#.jobs.failed']);
  });

  it('sanitises prefix and graph nodes and never emits a second #', () => {
    const def = graphDefinition('my app', { graph: 'docker.#.cpu/usage', displayName: 'CPU %1', unit: 'percentage', metrics: [{ name: '#', displayName: '' }] });
    expect(def.name).toBe('custom.my_app.#.docker.*.cpu_usage');
    expect(def.displayName).toBe('CPU %2');
    expect(def.metrics[0]?.name).toBe('custom.my_app.#.docker.*.cpu_usage.*');
    expect(isValidGraphDef(def)).toBe(true);
  });

  it('leaves out a definition that cannot be valid (empty prefix)', () => {
    expect(graphDefinitions('', GOSTATS_GRAPHS)).toEqual([]);
  });

  it.each<[string, GraphDef]>([
    ['two # in one name', { name: 'custom.a.#.b.#', displayName: 'x', unit: 'float', metrics: [{ name: 'custom.a.#.b.#.c', displayName: '', isStacked: false }] }],
    ['a metric outside its graph', { name: 'custom.a.#.b', displayName: 'x', unit: 'float', metrics: [{ name: 'custom.a.#.c.d', displayName: '', isStacked: false }] }],
    ['a metric two nodes below its graph', { name: 'custom.a.#.b', displayName: 'x', unit: 'float', metrics: [{ name: 'custom.a.#.b.c.d', displayName: '', isStacked: false }] }],
    ['a # metric under a # graph', { name: 'custom.a.#.b', displayName: 'x', unit: 'float', metrics: [{ name: 'custom.a.#.b.#', displayName: '', isStacked: false }] }],
    ['no metrics', { name: 'custom.a.#.b', displayName: 'x', unit: 'float', metrics: [] }],
    ['a name without custom.', { name: 'gostats.#.b', displayName: 'x', unit: 'float', metrics: [{ name: 'gostats.#.b.c', displayName: '', isStacked: false }] }],
  ])('rejects a definition with %s', (_label, def) => {
    expect(isValidGraphDef(def)).toBe(false);
  });
});
