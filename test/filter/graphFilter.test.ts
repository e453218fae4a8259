/** Graph definitions after the name filters: no graph is announced whose every metric was filtered away. */
import { keepGraphs } from '../../src/filter/graphFilter';
import { DEFAULT_MAX_NAMES_PER_TARGET, selectNames, targetFilter, type MetricFilter } from '../../src/filter/metricFilter';
import type { GraphMeta } from '../../src/parse';

function filterOf(fields: { include?: string; exclude?: string; maxNames?: number }): MetricFilter {
  const r = targetFilter({ id: 'prod/t/app:8080', ...fields }, DEFAULT_MAX_NAMES_PER_TARGET);
  if (!r.ok) throw r.error;
  return r.value;
}

/** Fixed metric lists, as gostats announces them. */
const MEMORY: GraphMeta = {
  graph: 'memory',
  displayName: 'Memory',
  unit: 'bytes',
  metrics: [
    { name: 'memory_alloc', displayName: 'Alloc' },
    { name: 'memory_sys', displayName: 'Sys' },
  ],
};
const OPERATION: GraphMeta = { graph: 'operation', displayName: 'Operation', unit: 'integer', metrics: [{ name: 'memory_mallocs', displayName: 'Mallocs' }] };
/** A Prometheus family with label series: one `*` metric. */
const REQUESTS: GraphMeta = { graph: 'http_requests_total', displayName: 'http_requests_total', unit: 'float', metrics: [{ name: '*', displayName: '%1' }] };
/** Plugin META may put a wildcard in the graph part. */
const DISKS: GraphMeta = { graph: 'disk.*', displayName: 'Disk', unit: 'iops', metrics: [{ name: 'reads', displayName: 'Reads' }] };

const NAMES = ['memory.memory_alloc', 'memory.memory_sys', 'http_requests_total.GET_200', 'http_requests_total.POST_500', 'disk.sda.reads', 'disk.sdb.reads'];

function graphsAfter(fields: { include?: string; exclude?: string; maxNames?: number }, graphs: readonly GraphMeta[], names = NAMES): GraphMeta[] {
  const filter = filterOf(fields);
  return keepGraphs(graphs, selectNames(names, filter), filter);
}

describe('keepGraphs', () => {
  it('returns the graphs unchanged when nothing was filtered', () => {
    const graphs = [MEMORY, OPERATION, REQUESTS, DISKS];
    expect(graphsAfter({}, graphs)).toEqual(graphs);
  });

  it('does not announce a graph whose every name was excluded', () => {
    expect(graphsAfter({ exclude: 'memory\\..*' }, [MEMORY, REQUESTS]).map((g) => g.graph)).toEqual(['http_requests_total']);
  });

  it('lists only the metrics of a graph that may still be posted', () => {
    expect(graphsAfter({ exclude: 'memory\\.memory_sys' }, [MEMORY])).toEqual([{ ...MEMORY, metrics: [{ name: 'memory_alloc', displayName: 'Alloc' }] }]);
  });

  it('keeps a label-series graph while one of its series passes, and drops it when none does', () => {
    expect(graphsAfter({ exclude: '.*\\.POST_500' }, [REQUESTS])).toEqual([REQUESTS]);
    expect(graphsAfter({ include: 'memory\\..*' }, [REQUESTS])).toEqual([]);
  });

  it('matches a wildcard in the graph part of plugin META against the names of this cycle', () => {
    expect(graphsAfter({ exclude: 'disk\\.sda\\..*' }, [DISKS])).toEqual([DISKS]);
    expect(graphsAfter({ exclude: 'disk\\..*' }, [DISKS])).toEqual([]);
  });

  it("judges a fixed metric with no value this cycle (a counter's first scrape) by its name", () => {
    expect(graphsAfter({ include: 'memory\\..*|operation\\..*' }, [OPERATION])).toEqual([OPERATION]);
    expect(graphsAfter({ exclude: 'operation\\..*' }, [OPERATION])).toEqual([]);
  });

  it('announces a label-series graph with no value this cycle only when the target has no include or exclude', () => {
    const names = ['memory.memory_alloc'];
    expect(graphsAfter({}, [REQUESTS], names)).toEqual([REQUESTS]);
    expect(graphsAfter({ maxNames: 1 }, [REQUESTS], [...names, 'memory.memory_sys'])).toEqual([REQUESTS]);
    expect(graphsAfter({ exclude: 'memory\\..*' }, [REQUESTS], names)).toEqual([]);
  });

  it('does not announce a graph whose names all went over the cap', () => {
    // Act: code-unit order keeps the two disk names, then the http_requests_total ones.
    const graphs = graphsAfter({ maxNames: 4 }, [MEMORY, REQUESTS, DISKS]);

    // Assess
    expect(graphs.map((g) => g.graph)).toEqual(['http_requests_total', 'disk.*']);
  });
});
