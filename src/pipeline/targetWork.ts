import { parseBodyCooperatively, type GraphMeta } from '../parse';
import { metricName, NAME_TOO_LONG } from '../mackerel/naming';
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
}

/** Where a target's values go: its Mackerel host (absent: service metrics only) and its metric key. */
export interface Placement {
  readonly hostId?: string;
  readonly key: string;
}

/**
 * Parses and names one target's fetched body as metric values of its Mackerel host. A large body is parsed in
 * slices that let the event loop run (parse/index.ts parseBodyCooperatively).
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
  const values: MetricValue[] = [];
  const dropped = [...parsed.value.dropped];
  let badNames = 0;
  let longNames = 0;
  if (hostId !== undefined) {
    for (const sample of parsed.value.samples) {
      const name = metricName(target.prefix, key, sample);
      if (name.ok) values.push({ hostId, name: name.value, time: sample.time, value: sample.value });
      else if (name.error.kind === 'too-long') longNames++;
      else badNames++;
    }
  }
  if (badNames > 0) dropped.push({ reason: 'metric name cannot be made valid', count: badNames });
  if (longNames > 0) addDrop(dropped, NAME_TOO_LONG, longNames);
  // A graph whose names are all too long gets no definition either (its values were all dropped above).
  const graphs = parsed.value.graphs.filter((g) => g.metrics.some((m) => nameFits(target.prefix, key, g.graph, m.name)));
  return { kind: 'ok', target, key, values, samples: parsed.value.samples, graphs, dropped, bytes: scraped.value.bytes };
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
