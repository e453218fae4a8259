import type { GraphUnit } from '../types';
import type { GraphMeta, GraphMetaMetric } from './types';

/** mackerel-agent metrics/plugin.go: the first line of META output. */
export const PLUGIN_META_HEADER = /^#\s*mackerel-agent-plugin\b/;

const UNITS: ReadonlySet<string> = new Set<GraphUnit>([
  'float',
  'integer',
  'percentage',
  'seconds',
  'milliseconds',
  'bytes',
  'bytes/sec',
  'bits/sec',
  'iops',
]);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isWildcard(node: string): boolean {
  return node === '*' || node === '#';
}

/**
 * Graphs of a plugin's META JSON `{"graphs":{"<key>":{"label","unit","metrics":[{"name","label","stacked"}]}}}`.
 * A metric's full name is `<key>.<name>`; its graph is everything before the last node, as the agent posts
 * it. A missing unit is `float` (the agent's default); a missing label is the metric name, or `%N` (the
 * matched value) for a wildcard metric. Returns undefined when the JSON is not META at all.
 */
export function metaGraphs(json: unknown): GraphMeta[] | undefined {
  if (!isRecord(json) || !isRecord(json.graphs)) return undefined;
  const graphs = new Map<string, { displayName: string; unit: GraphUnit; metrics: GraphMetaMetric[] }>();
  for (const [key, g] of Object.entries(json.graphs)) {
    if (!isRecord(g) || !Array.isArray(g.metrics)) continue;
    const unit = typeof g.unit === 'string' && UNITS.has(g.unit) ? (g.unit as GraphUnit) : 'float';
    const label = typeof g.label === 'string' ? g.label : '';
    for (const m of g.metrics) {
      if (!isRecord(m) || typeof m.name !== 'string' || m.name === '') continue;
      const nodes = `${key}.${m.name}`.split('.');
      const metric = nodes.pop() ?? '';
      const graph = nodes.join('.');
      const own = typeof m.label === 'string' ? m.label : '';
      const displayName = own !== '' ? own : isWildcard(metric) ? `%${[...nodes, metric].filter(isWildcard).length}` : metric;
      let entry = graphs.get(graph);
      if (entry === undefined) {
        entry = { displayName: label || graph, unit, metrics: [] };
        graphs.set(graph, entry);
      }
      entry.metrics.push({ name: metric, displayName, stacked: m.stacked === true });
    }
  }
  return [...graphs].map(([graph, e]) => ({ graph, ...e }));
}

/** True when a META graph name (which may hold `*`/`#`) matches a concrete graph of the body. */
export function metaCovers(metaGraph: string, graph: string): boolean {
  if (metaGraph === graph) return true;
  const a = metaGraph.split('.');
  const b = graph.split('.');
  return a.length === b.length && a.every((n, i) => isWildcard(n) || n === b[i]);
}
