/**
 * Which of a target's metric names are posted: Mackerel bills per metric name on a host (a standard host
 * includes 200), and one node_exporter yields about 500 series. Like Prometheus' metric_relabel `keep` then
 * `drop`, the include pattern keeps only the names it matches, then the exclude pattern drops the names it
 * matches; then at most `maxNames` distinct names are kept, the first in code-unit order of the name.
 *
 * Names here are the part of a Mackerel name after `custom.<prefix>.<key>.`, that is `<graph>.<metric>` as
 * naming.ts built it (sanitised nodes), and patterns must match the WHOLE name. Pure: no I/O, no state
 * besides the compiled-pattern cache.
 */
import { err, ok, type Result } from '../result';
import type { Target } from '../types';
import type { NamePattern } from '../util/namePattern';
import { FilterError } from './errors';
import { compileFilterPattern } from './patternCache';

/** Counted in a target's `dropped` for a name the include pattern does not match. */
export const DROP_NOT_INCLUDED = 'not matched by mackerel.metrics.include';
/** Counted for a name the exclude pattern matches (checked after include). */
export const DROP_EXCLUDED = 'excluded by mackerel.metrics.exclude';
/** Counted for a name past the target's cap (MAX_NAMES_PER_TARGET or `mackerel.metrics.max-names`). */
export const DROP_OVER_MAX_NAMES = 'over MAX_NAMES_PER_TARGET';

/** The `dropped` reasons of this module, in the order the filters run. */
export const FILTER_DROP_REASONS = [DROP_NOT_INCLUDED, DROP_EXCLUDED, DROP_OVER_MAX_NAMES] as const;
export type FilterDropReason = (typeof FILTER_DROP_REASONS)[number];

/** MAX_NAMES_PER_TARGET's default: the metrics one standard Mackerel host includes. */
export const DEFAULT_MAX_NAMES_PER_TARGET = 200;
/** Bounds of MAX_NAMES_PER_TARGET and `mackerel.metrics.max-names`: 10,000 is 50 hosts' worth of included metrics. */
export const MIN_MAX_NAMES = 1;
export const MAX_MAX_NAMES = 10_000;

/** One target's filters, compiled. */
export interface MetricFilter {
  readonly include?: NamePattern;
  readonly exclude?: NamePattern;
  /** Most distinct names kept after include and exclude. */
  readonly maxNames: number;
}

/** What {@link selectNames} decided for each distinct name. */
export interface NameSelection {
  readonly kept: ReadonlySet<string>;
  /** Every name not kept, with the first filter that dropped it. */
  readonly dropped: ReadonlyMap<string, FilterDropReason>;
}

/** Code-unit order: the same on every machine and locale, unlike localeCompare. */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** True when the target has an include or an exclude pattern (the cap alone does not count). */
export function hasPatterns(filter: MetricFilter): boolean {
  return filter.include !== undefined || filter.exclude !== undefined;
}

/** The include/exclude verdict for one name, or undefined when it passes both (the cap is not applied). */
export function patternVerdict(filter: MetricFilter, name: string): FilterDropReason | undefined {
  if (filter.include !== undefined && !filter.include.test(name)) return DROP_NOT_INCLUDED;
  if (filter.exclude?.test(name) === true) return DROP_EXCLUDED;
  return undefined;
}

/**
 * Applies include, then exclude, then the cap to a target's names (duplicates count once). The cap keeps the
 * first `maxNames` passing names sorted by code unit: the same set of names always keeps the same subset,
 * whatever order the exporter wrote its series in this time, and a graph's names (`<graph>.` + metric) sort
 * together, so the cut splits at most one graph.
 */
export function selectNames(names: Iterable<string>, filter: MetricFilter): NameSelection {
  const dropped = new Map<string, FilterDropReason>();
  const passing: string[] = [];
  for (const name of new Set(names)) {
    const verdict = patternVerdict(filter, name);
    if (verdict === undefined) passing.push(name);
    else dropped.set(name, verdict);
  }
  if (passing.length <= filter.maxNames) return { kept: new Set(passing), dropped };
  passing.sort(compareNames);
  for (const name of passing.slice(filter.maxNames)) dropped.set(name, DROP_OVER_MAX_NAMES);
  return { kept: new Set(passing.slice(0, filter.maxNames)), dropped };
}

/**
 * The compiled filter of a target: its `include`/`exclude` sources through the shared cache, its own
 * `maxNames` or `defaultMaxNames` (MAX_NAMES_PER_TARGET). Discovery has already refused a bad pattern, so an
 * error here means a target built elsewhere; it names the field and quotes the pattern.
 */
export function targetFilter(
  target: Pick<Target, 'id' | 'include' | 'exclude' | 'maxNames'>,
  defaultMaxNames: number,
): Result<MetricFilter, FilterError> {
  const compiled: { include?: NamePattern; exclude?: NamePattern } = {};
  for (const field of ['include', 'exclude'] as const) {
    const source = target[field];
    if (source === undefined) continue;
    const pattern = compileFilterPattern(source);
    if (!pattern.ok) return err(new FilterError(target.id, `${field} ${JSON.stringify(source)} is not a valid regular expression: ${pattern.error}`));
    compiled[field] = pattern.value;
  }
  return ok({ ...compiled, maxNames: target.maxNames ?? defaultMaxNames });
}
