/**
 * Graph definitions after the name filters: a graph is announced only with the metrics that may still be
 * posted, and not at all when none may, so Mackerel shows no graph that stays empty because every one of its
 * names was filtered away.
 */
import { sanitizeNode } from '../mackerel/naming';
import type { GraphMeta } from '../parse';
import { hasPatterns, patternVerdict, type MetricFilter, type NameSelection } from './metricFilter';

/** A graph or metric node of plugin META that matches any one node (graphDefs.ts turns `#` into `*`). */
const WILDCARD = '*';

function nodeOf(raw: string): string {
  return raw === '*' || raw === '#' ? WILDCARD : sanitizeNode(raw);
}

/** This cycle's names by graph part: `<graph>.<metric>` splits at the last dot, the metric being one node. */
type NamesByGraph = Map<string, Map<string, boolean>>;

function indexNames(selection: NameSelection): NamesByGraph {
  const byGraph: NamesByGraph = new Map();
  const add = (name: string, kept: boolean): void => {
    const dot = name.lastIndexOf('.');
    const graph = name.slice(0, Math.max(dot, 0));
    const metrics = byGraph.get(graph) ?? new Map<string, boolean>();
    metrics.set(name.slice(dot + 1), kept);
    byGraph.set(graph, metrics);
  };
  for (const name of selection.kept) add(name, true);
  for (const name of selection.dropped.keys()) add(name, false);
  return byGraph;
}

function graphMatches(pattern: readonly string[], graph: string): boolean {
  const nodes = graph.split('.');
  return nodes.length === pattern.length && pattern.every((p, i) => p === WILDCARD || p === nodes[i]);
}

/** Whether a name of this cycle matching the graph and metric pattern was kept, only dropped, or none was seen. */
function fate(byGraph: NamesByGraph, graphNodes: readonly string[], metric: string): 'kept' | 'dropped' | 'unseen' {
  const groups = graphNodes.includes(WILDCARD)
    ? [...byGraph].filter(([graph]) => graphMatches(graphNodes, graph)).map(([, metrics]) => metrics)
    : [byGraph.get(graphNodes.join('.'))].filter((m) => m !== undefined);
  let seen = false;
  for (const metrics of groups) {
    if (metric === WILDCARD) {
      for (const kept of metrics.values()) {
        if (kept) return 'kept';
        seen = true;
      }
      continue;
    }
    const kept = metrics.get(metric);
    if (kept === true) return 'kept';
    if (kept === false) seen = true;
  }
  return seen ? 'dropped' : 'unseen';
}

/**
 * The graphs to announce for one target. A graph metric is kept when some name of this cycle it covers was
 * kept, and dropped when every such name was filtered. A metric with no name this cycle (a counter's first
 * scrape only sets its baseline) is kept when it is a fixed name that include and exclude pass, or, for a
 * wildcard, only when the target has no include/exclude (it is announced with its first values otherwise).
 * A graph with no metric left is not announced. With no filter and nothing over the cap, `graphs` comes back
 * unchanged.
 */
export function keepGraphs(graphs: readonly GraphMeta[], selection: NameSelection, filter: MetricFilter): GraphMeta[] {
  if (selection.dropped.size === 0 && !hasPatterns(filter)) return [...graphs];
  const byGraph = indexNames(selection);
  const out: GraphMeta[] = [];
  for (const meta of graphs) {
    const graphNodes = meta.graph.split('.').map(nodeOf);
    const metrics = meta.metrics.filter((m) => {
      const metric = nodeOf(m.name);
      const seen = fate(byGraph, graphNodes, metric);
      if (seen !== 'unseen') return seen === 'kept';
      const fixed = metric !== WILDCARD && !graphNodes.includes(WILDCARD);
      return fixed ? patternVerdict(filter, `${graphNodes.join('.')}.${metric}`) === undefined : !hasPatterns(filter);
    });
    if (metrics.length === meta.metrics.length) out.push(meta);
    else if (metrics.length > 0) out.push({ ...meta, metrics });
  }
  return out;
}
