import type { GraphMeta } from '../parse/types';
import type { GraphDef } from '../types';
import { sanitizeNode } from './naming';

/** Graph name rule of `POST /api/v0/graph-defs/create`, wildcards included (reference/mackerel-api.md §2, §5). */
const GRAPH_NAME = /^custom(\.([-a-zA-Z0-9_]+|[*#]))+$/;
const LAST_NODE = /^([-a-zA-Z0-9_]+|[*#])$/;
const PLACEHOLDER = /%([1-9]\d*)/g;

type GraphDefMetric = GraphDef['metrics'][number];

/** A node of a parser's graph or metric: plugin META may use `*`/`#`; `#` becomes `*` (only one `#` allowed). */
function node(raw: string): string {
  return raw === '*' || raw === '#' ? '*' : sanitizeNode(raw);
}

/** `%N` in a parser's label counts wildcards from the graph; our `#` comes first, so each moves up by one. */
function shift(label: string): string {
  return label.replace(PLACEHOLDER, (_, n: string) => `%${Number(n) + 1}`);
}

function hashCount(name: string): number {
  return name.split('.').filter((n) => n === '#').length;
}

/**
 * The graph definition of one parser graph under one prefix: `custom.<prefix>.#.<graph>`, metrics
 * `custom.<prefix>.#.<graph>.<metric or *>`, each metric's display name led by `%1` (the task key `#` matched),
 * so one graph per host shows every task, with its legend grouped by task.
 */
export function graphDefinition(prefix: string, meta: GraphMeta): GraphDef {
  const name = ['custom', ...prefix.split('.').map(sanitizeNode), '#', ...meta.graph.split('.').map(node)].join('.');
  const metrics: GraphDefMetric[] = [];
  const seen = new Set<string>();
  for (const m of meta.metrics) {
    const metricName = `${name}.${node(m.name)}`;
    if (seen.has(metricName)) continue;
    seen.add(metricName);
    const label = shift(m.displayName);
    metrics.push({ name: metricName, displayName: label === '' ? '%1' : `%1 ${label}`, isStacked: m.stacked ?? false });
  }
  return { name, displayName: shift(meta.displayName) || meta.graph, unit: meta.unit, metrics };
}

/**
 * True when a definition follows Mackerel's rules: valid names, at most one `#` per name, every metric is the
 * graph name plus one node (so any wildcard of a metric's graph part is in the graph name), and some metric.
 */
export function isValidGraphDef(def: GraphDef): boolean {
  if (!GRAPH_NAME.test(def.name) || hashCount(def.name) > 1 || def.metrics.length === 0) return false;
  return def.metrics.every((m) => {
    if (!m.name.startsWith(`${def.name}.`)) return false;
    return LAST_NODE.test(m.name.slice(def.name.length + 1)) && hashCount(m.name) <= 1;
  });
}

/**
 * Definitions for a prefix's graphs, one per name: the same graph from many targets merges, its metric lists
 * joined. A definition that cannot be valid (an empty prefix or graph node) is left out; its samples fail
 * metricName the same way and are counted there.
 */
export function graphDefinitions(prefix: string, metas: readonly GraphMeta[]): GraphDef[] {
  const byName = new Map<string, { def: GraphDef; metrics: GraphDefMetric[] }>();
  for (const meta of metas) {
    const def = graphDefinition(prefix, meta);
    if (!isValidGraphDef(def)) continue;
    const known = byName.get(def.name);
    if (known === undefined) {
      const metrics = [...def.metrics];
      byName.set(def.name, { def: { ...def, metrics }, metrics });
      continue;
    }
    for (const m of def.metrics) if (!known.metrics.some((k) => k.name === m.name)) known.metrics.push(m);
  }
  return [...byName.values()].map((e) => e.def);
}
