import { sanitizeNode } from '../mackerel/naming';

/**
 * Advanced-graph expressions over the instance hosts' per-task metrics (reference/mackerel-api.md §8).
 * Host metric names are `custom.<prefix>.<key>.<graph>.<metric>` (src/mackerel/naming.ts); the patterns here
 * follow the same node rules, with `*` allowed in the key and metric nodes.
 */

/** Most series one expression names explicitly (hosts × task keys); beyond it the key becomes `*`. */
export const MAX_EXPLICIT_SERIES = 40;
/** Most hosts one expression covers; the rest are left out (sorted by host id, so the choice is stable). */
export const MAX_HOSTS_PER_EXPRESSION = 20;

/** An instance host the service's tasks run on. */
export interface DashboardHost {
  readonly hostId: string;
  /** Used in legends; the host id when absent. */
  readonly hostName?: string;
}

const node = (raw: string): string => (raw === '*' || raw === '#' ? '*' : sanitizeNode(raw));

/**
 * `custom.<prefix>.<key>.<graph>.<metric>` with `key` `*` for every task. `prefix` and `graph` may hold dots;
 * `*`/`#` nodes (plugin META, Prometheus label series) become `*`. Undefined when a node would be empty.
 */
export function hostMetricPattern(prefix: string, key: string, graph: string, metric: string): string | undefined {
  const nodes = ['custom', ...prefix.split('.').map(node), node(key), ...graph.split('.').map(node), node(metric)];
  return nodes.some((n) => n === '') ? undefined : nodes.join('.');
}

/** Text safe inside a single-quoted expression string: the expression grammar's escaping is not documented. */
function quote(text: string): string {
  return `'${text.replace(/[^-A-Za-z0-9_.*:/ ]/g, '_')}'`;
}

function group(parts: readonly string[]): string {
  return parts.length === 1 ? (parts[0] ?? '') : `group(${parts.join(', ')})`;
}

/**
 * One expression drawing a metric of every task on the given hosts.
 *
 * With task keys (stable with `METRIC_KEY=slot`): one `alias(host(h, name), '<host> <key>')` per host and key,
 * so each line is labelled (not for a `*` metric, whose series keep their names); a key that never ran on a
 * host is expected to give no series (unverified). Without keys, or when hosts × keys
 * exceed {@link MAX_EXPLICIT_SERIES}: `host(h, 'custom.<prefix>.*.<graph>.<metric>')` per host. That `*` sits
 * mid-name; the docs only show a trailing `*` (`custom.foo.jobs.*`), so a mid-name wildcard in an expression
 * is UNVERIFIED against the real API. Returns undefined when there is no host or the name cannot be valid.
 */
export function perTaskExpression(
  hosts: readonly DashboardHost[],
  taskKeys: readonly string[] | undefined,
  prefix: string,
  graph: string,
  metric: string,
): string | undefined {
  const chosen = [...hosts].sort((a, b) => (a.hostId < b.hostId ? -1 : a.hostId > b.hostId ? 1 : 0)).slice(0, MAX_HOSTS_PER_EXPRESSION);
  if (chosen.length === 0) return undefined;
  const keys = [...new Set(taskKeys ?? [])].sort();
  if (keys.length > 0 && keys.length * chosen.length <= MAX_EXPLICIT_SERIES) {
    const parts: string[] = [];
    for (const h of chosen) {
      for (const key of keys) {
        const name = hostMetricPattern(prefix, key, graph, metric);
        if (name === undefined) return undefined;
        const series = `host(${quote(h.hostId)}, ${quote(name)})`;
        // A label series metric (`*`) yields many series; one alias would give them all the same label.
        parts.push(node(metric) === '*' ? series : `alias(${series}, ${quote(`${h.hostName ?? h.hostId} ${key}`)})`);
      }
    }
    return group(parts);
  }
  const name = hostMetricPattern(prefix, '*', graph, metric);
  return name === undefined ? undefined : group(chosen.map((h) => `host(${quote(h.hostId)}, ${quote(name)})`));
}
