import type { GraphUnit } from '../types';
import { DROP } from './drops';

/** How one sample name of a Prometheus body is posted. */
export type PromRole =
  | { readonly kind: 'gauge'; readonly graph: string; readonly unit: GraphUnit }
  | { readonly kind: 'rate'; readonly graph: string; readonly unit: GraphUnit }
  /** The base name of a summary: quantile series become gauges `q0_99`, anything else a plain gauge. */
  | { readonly kind: 'summary'; readonly graph: string; readonly unit: GraphUnit }
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

const CHILD_SUFFIXES = ['_bucket', '_count', '_sum', '_created', '_total'] as const;

/**
 * Decides how a sample name is posted from the `# TYPE` lines seen so far. Histograms and summaries post their
 * `_count` and `_sum` as rates; buckets and OpenMetrics `_created` are dropped; counters (typed, or untyped
 * names ending in `_total`) become rates; everything else is a gauge.
 */
export function promRole(name: string, types: ReadonlyMap<string, string>): PromRole {
  const type = types.get(name);
  if (type === 'counter') return { kind: 'rate', graph: name, unit: rateUnit(name) };
  if (type === 'summary') return { kind: 'summary', graph: name, unit: gaugeUnit(name) };
  if (type !== undefined && type !== 'untyped' && type !== 'unknown') return { kind: 'gauge', graph: name, unit: gaugeUnit(name) };
  for (const suffix of CHILD_SUFFIXES) {
    if (!name.endsWith(suffix)) continue;
    const base = name.slice(0, -suffix.length);
    const baseType = types.get(base);
    if (baseType === 'histogram' || baseType === 'summary') {
      if (suffix === '_bucket') return { kind: 'drop', reason: DROP.buckets };
      if (suffix === '_count') return { kind: 'rate', graph: name, unit: 'float' };
      if (suffix === '_sum') return { kind: 'rate', graph: name, unit: rateUnit(base) };
      if (suffix === '_created') return { kind: 'drop', reason: DROP.created };
    }
    if (baseType === 'counter') {
      // OpenMetrics style: `# TYPE foo counter` with samples `foo_total` and `foo_created`.
      if (suffix === '_total') return { kind: 'rate', graph: name, unit: rateUnit(name) };
      if (suffix === '_created') return { kind: 'drop', reason: DROP.created };
    }
  }
  if (name.endsWith('_total')) return { kind: 'rate', graph: name, unit: rateUnit(name) };
  return { kind: 'gauge', graph: name, unit: gaugeUnit(name) };
}
