import { keepGraphs } from '../filter/graphFilter';
import {
  DEFAULT_MAX_NAMES_PER_TARGET,
  FILTER_DROP_REASONS,
  selectNames,
  targetFilter,
  type FilterDropReason,
  type MetricFilter,
  type NameSelection,
} from '../filter/metricFilter';
import { parseBodyCooperatively, type GraphMeta, type NameCollision } from '../parse';
import { metricName, NAME_TOO_LONG, type NamingError } from '../mackerel/naming';
import type { Result } from '../result';
import type { ScrapeError } from '../scrape/errors';
import type { ScrapeBody } from '../scrape/httpScraper';
import type { CounterStore, MetricValue, Sample, Target } from '../types';

/** What one target produced in one cycle. Never thrown: a failure is data. */
export type TargetOutcome =
  | {
      readonly kind: 'ok';
      readonly target: Target;
      /** The `<key>` node the values were named with. */
      readonly key: string;
      /** Host metric values; empty for a target with no Mackerel host (its samples feed service metrics only). */
      readonly values: MetricValue[];
      readonly samples: readonly Sample[];
      readonly graphs: readonly GraphMeta[];
      readonly dropped: readonly { reason: string; count: number }[];
      /** Names two different series mapped to, that the filters kept: the later series were not posted (an error). */
      readonly collisions: readonly NameCollision[];
      readonly bytes: number;
    }
  | {
      readonly kind: 'failed';
      readonly target: Target;
      readonly stage: 'scrape' | 'parse';
      /** The Issue kind: `timeout`, `refused`, `5xx`, `too-large`, … for a scrape; `invalid` or `aborted` for a parse. */
      readonly errorKind: string;
      readonly reason: string;
      readonly errorName: string;
    };

/** Everything parseTarget needs besides the target and its body. */
export interface TargetContext {
  readonly counters: CounterStore;
  readonly nowS: number;
  /** The cycle's signal: a large body still being parsed when it fires is given up (a parse failure). */
  readonly signal?: AbortSignal;
  /** MAX_NAMES_PER_TARGET: most distinct names a target posts unless its own max-names says otherwise (default 200). */
  readonly maxNamesPerTarget?: number;
}

/** Where a target's values go: its Mackerel host (absent: service metrics only) and its metric key. */
export interface Placement {
  readonly hostId?: string;
  readonly key: string;
}

/**
 * Parses and names one target's fetched body as metric values of its Mackerel host, then applies the target's
 * filters (include, exclude, the name cap: src/filter/metricFilter.ts) to the names: samples → names → filters
 * → values. What the filters drop is neither posted nor fed to the service totals, and a graph left without
 * names is not announced. A large body is parsed in slices that let the event loop run
 * (parse/index.ts parseBodyCooperatively).
 */
export async function parseTarget(
  target: Target,
  { hostId, key }: Placement,
  scraped: Result<ScrapeBody, ScrapeError>,
  ctx: TargetContext,
): Promise<TargetOutcome> {
  if (!scraped.ok) {
    return { kind: 'failed', target, stage: 'scrape', errorKind: scrapeKind(scraped.error), reason: scraped.error.message, errorName: scraped.error.name };
  }
  const filter = targetFilter(target, ctx.maxNamesPerTarget ?? DEFAULT_MAX_NAMES_PER_TARGET);
  if (!filter.ok) return { kind: 'failed', target, stage: 'parse', errorKind: 'invalid', reason: filter.error.message, errorName: filter.error.name };
  const parsed = await parseBodyCooperatively(
    target.format,
    scraped.value.body,
    { targetId: target.id, now: ctx.nowS, counters: ctx.counters },
    ctx.signal,
  );
  if (!parsed.ok) {
    const errorKind = ctx.signal?.aborted ? 'aborted' : 'invalid';
    return { kind: 'failed', target, stage: 'parse', errorKind, reason: parsed.error.message, errorName: parsed.error.name };
  }
  const named = nameAndFilter(target, { hostId, key }, parsed.value.samples, filter.value);
  const dropped = [...parsed.value.dropped];
  if (named.badNames > 0) dropped.push({ reason: 'metric name cannot be made valid', count: named.badNames });
  if (named.longNames > 0) addDrop(dropped, NAME_TOO_LONG, named.longNames);
  for (const reason of FILTER_DROP_REASONS) {
    const count = named.filtered.get(reason) ?? 0;
    if (count > 0) addDrop(dropped, reason, count);
  }
  // A graph whose names are all too long gets no definition either (its values were all dropped above), nor
  // does one whose names the filters all dropped.
  const fitting = parsed.value.graphs.filter((g) => g.metrics.some((m) => nameFits(target.prefix, key, g.graph, m.name)));
  const graphs = keepGraphs(fitting, named.selection, filter.value);
  const collisions = keptCollisions(target.prefix, key, parsed.value.collisions ?? [], named.selection);
  return { kind: 'ok', target, key, values: named.values, samples: named.samples, graphs, dropped, collisions, bytes: scraped.value.bytes };
}

/** What naming and filtering made of a target's samples. */
interface Named {
  /** Host metric values (none without a host). */
  readonly values: MetricValue[];
  /** The samples the filters kept, for the service totals. */
  readonly samples: Sample[];
  readonly selection: NameSelection;
  /** Values each filter dropped. */
  readonly filtered: ReadonlyMap<FilterDropReason, number>;
  readonly badNames: number;
  readonly longNames: number;
}

/**
 * Names every sample (a target without a host too: the filters decide what reaches the service totals), runs
 * the filters over the `<graph>.<metric>` part of the names, and keeps the values of the names they pass. A
 * sample whose name cannot be built is counted as before (for a host) and is not a name the filters see.
 */
function nameAndFilter(target: Target, { hostId, key }: Placement, samples: readonly Sample[], filter: MetricFilter): Named {
  const head = headLength(target.prefix, key);
  const names: Result<string, NamingError>[] = samples.map((s) => metricName(target.prefix, key, s));
  // The `<graph>.<metric>` part the filters match; undefined for a sample whose name cannot be built.
  const relative = names.map((n) => (n.ok && head !== undefined ? n.value.slice(head) : undefined));
  const selection = selectNames(
    relative.filter((n): n is string => n !== undefined),
    filter,
  );
  const out = { values: [] as MetricValue[], samples: [] as Sample[], badNames: 0, longNames: 0 };
  const filtered = new Map<FilterDropReason, number>();
  samples.forEach((sample, i) => {
    const rel = relative[i];
    const why = rel === undefined ? undefined : selection.dropped.get(rel);
    if (why !== undefined) {
      filtered.set(why, (filtered.get(why) ?? 0) + 1);
      return;
    }
    out.samples.push(sample);
    const name = names[i];
    if (hostId === undefined || name === undefined) return;
    if (name.ok) out.values.push({ hostId, name: name.value, time: sample.time, value: sample.value });
    else if (name.error.kind === 'too-long') out.longNames++;
    else out.badNames++;
  });
  return { ...out, selection, filtered };
}

/**
 * The collisions whose name the filters kept: one the filters drop loses nothing that would have been posted, so
 * excluding a colliding family is how a user settles one for good.
 */
function keptCollisions(prefix: string, key: string, collisions: readonly NameCollision[], selection: NameSelection): NameCollision[] {
  const head = headLength(prefix, key);
  return collisions.filter((c) => {
    const name = metricName(prefix, key, c);
    return !(name.ok && head !== undefined && selection.dropped.has(name.value.slice(head)));
  });
}

/** Characters of `custom.<prefix>.<key>.` in this target's names: the filters see what follows. */
function headLength(prefix: string, key: string): number | undefined {
  const probe = metricName(prefix, key, { graph: 'g', metric: 'm' });
  return probe.ok ? probe.value.length - 'g.m'.length : undefined;
}

/** A scrape error's Issue kind: its own kind, with an HTTP status said as `5xx`/`4xx`. */
export function scrapeKind(e: ScrapeError): string {
  if (e.kind === 'http-status') return e.status !== undefined && e.status >= 500 ? '5xx' : e.status === 429 ? 'throttled' : '4xx';
  if (e.kind === 'address-not-allowed') return 'not-allowed';
  return e.kind;
}

function nameFits(prefix: string, key: string, graph: string, metric: string): boolean {
  const name = metricName(prefix, key, { graph, metric });
  return name.ok || name.error.kind !== 'too-long';
}

/** Adds to a reason already counted (the parser may have dropped names as too long too), else appends it. */
function addDrop(dropped: { reason: string; count: number }[], reason: string, count: number): void {
  const i = dropped.findIndex((d) => d.reason === reason);
  const prev = dropped[i];
  if (prev !== undefined) dropped[i] = { reason, count: prev.count + count };
  else dropped.push({ reason, count });
}
