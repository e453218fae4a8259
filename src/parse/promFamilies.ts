import type { GraphUnit } from '../types';
import { DROP } from './drops';

/** How one sample name of a Prometheus body is posted. */
export type PromRole =
  | { readonly kind: 'gauge'; readonly graph: string; readonly unit: GraphUnit }
  | { readonly kind: 'rate'; readonly graph: string; readonly unit: GraphUnit }
  /** The base name of a summary: quantile series become gauges `q0_99`, anything else a plain gauge. */
  | { readonly kind: 'summary'; readonly graph: string; readonly unit: GraphUnit }
  /** A gauge or untyped `*_info`: a sample of value 1 is an info metric and not posted; another value is a gauge. */
  | { readonly kind: 'info-like'; readonly graph: string; readonly unit: GraphUnit }
  | { readonly kind: 'drop'; readonly reason: string };

/** Unit of a gauge from the naming conventions (https://prometheus.io/docs/practices/naming/#base-units). */
export function gaugeUnit(name: string): GraphUnit {
  const n = name.endsWith('_total') ? name.slice(0, -6) : name;
  if (n.endsWith('_bytes')) return 'bytes';
  if (n.endsWith('_seconds')) return 'seconds';
  if (n.endsWith('_percent')) return 'percentage';
  // `_ratio` is 0..1; Mackerel's `percentage` means 0..100, so it stays a float.
  return 'float';
}

/** Unit of a per-second rate: bytes per second for byte counters, otherwise a plain rate. */
export function rateUnit(name: string): GraphUnit {
  return gaugeUnit(name) === 'bytes' ? 'bytes/sec' : 'float';
}

const CHILD_SUFFIXES = ['_bucket', '_count', '_sum', '_gcount', '_gsum', '_created', '_total', '_info'] as const;
type ChildSuffix = (typeof CHILD_SUFFIXES)[number];
/** Types whose family name is the sample name itself or `_total`/`_info` is added to it. */
const UNTYPED: ReadonlySet<string | undefined> = new Set([undefined, 'untyped', 'unknown']);

/** The role of `<base><suffix>` when `<base>` has a `# TYPE` line, or undefined when the suffix means nothing there. */
function childRole(name: string, base: string, baseType: string | undefined, suffix: ChildSuffix): PromRole | undefined {
  if (suffix === '_created' && (baseType === 'counter' || baseType === 'histogram' || baseType === 'summary')) return { kind: 'drop', reason: DROP.created };
  if (baseType === 'histogram' || baseType === 'summary') {
    if (suffix === '_bucket') return { kind: 'drop', reason: DROP.buckets };
    if (suffix === '_count') return { kind: 'rate', graph: name, unit: 'float' };
    if (suffix === '_sum') return { kind: 'rate', graph: name, unit: rateUnit(base) };
  }
  if (baseType === 'gaugehistogram') {
    if (suffix === '_bucket') return { kind: 'drop', reason: DROP.buckets };
    // A gauge histogram's count and sum go up and down: gauges, never rates.
    if (suffix === '_gcount') return { kind: 'gauge', graph: name, unit: 'float' };
    if (suffix === '_gsum') return { kind: 'gauge', graph: name, unit: gaugeUnit(base) };
  }
  // OpenMetrics style: `# TYPE foo counter` with samples `foo_total` (and `foo_created`, above).
  if (baseType === 'counter' && suffix === '_total') return { kind: 'rate', graph: name, unit: rateUnit(name) };
  // OpenMetrics `# TYPE foo info` with samples `foo_info`.
  if (baseType === 'info' && suffix === '_info') return { kind: 'drop', reason: DROP.info };
  return undefined;
}

/**
 * Decides how a sample name is posted from the `# TYPE` lines seen so far. The rule, in one place (README
 * "What lands in Mackerel"):
 *
 * - **counter** (typed, or an untyped name ending in `_total`): a per-second rate, as `<name>`; OpenMetrics
 *   `# TYPE foo counter` with samples `foo_total` likewise. The first sample only sets the baseline.
 * - **gauge**, **untyped**, **unknown** and anything else: the value as it is.
 * - **histogram** and **summary**: `_count` and `_sum` as per-second rates; histogram `_bucket` series are not
 *   posted (`histogram buckets not posted`); summary quantiles as gauges `q0_99` on the family's own graph.
 * - **gaugehistogram** (OpenMetrics): `_bucket` not posted; `_gcount` and `_gsum` as gauges (they go down too).
 * - **stateset** (OpenMetrics): each state as a gauge of 0 or 1, the state name being a label value.
 * - **info**: `# TYPE foo info` (samples `foo_info`) is not posted (`info metric not posted`); nor is a gauge
 *   or untyped `*_info` sample of value 1 (build_info and the like: their labels are the information, and a
 *   constant 1 per label set is a metric billed for nothing). A `*_info` of another value is a gauge.
 * - `_created` series of counters, histograms and summaries (OpenMetrics creation times) are not posted.
 */
export function promRole(name: string, types: ReadonlyMap<string, string>): PromRole {
  const type = types.get(name);
  if (type === 'counter') return { kind: 'rate', graph: name, unit: rateUnit(name) };
  if (type === 'summary') return { kind: 'summary', graph: name, unit: gaugeUnit(name) };
  if (type === 'info') return { kind: 'drop', reason: DROP.info };
  if (name.endsWith('_info') && (type === 'gauge' || UNTYPED.has(type)) && types.get(name.slice(0, -5)) !== 'info') {
    return { kind: 'info-like', graph: name, unit: 'float' };
  }
  if (!UNTYPED.has(type)) return { kind: 'gauge', graph: name, unit: gaugeUnit(name) };
  for (const suffix of CHILD_SUFFIXES) {
    if (!name.endsWith(suffix)) continue;
    const base = name.slice(0, -suffix.length);
    const role = childRole(name, base, types.get(base), suffix);
    if (role) return role;
  }
  if (name.endsWith('_total')) return { kind: 'rate', graph: name, unit: rateUnit(name) };
  return { kind: 'gauge', graph: name, unit: gaugeUnit(name) };
}
