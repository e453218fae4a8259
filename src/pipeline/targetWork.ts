import { parseBody, type GraphMeta } from '../parse';
import { metricKey, metricName } from '../mackerel/naming';
import type { Result } from '../result';
import type { ScrapeError } from '../scrape/errors';
import type { ScrapeBody } from '../scrape/httpScraper';
import type { CounterStore, MetricKeyMode, MetricValue, Target } from '../types';

/** What one target produced in one cycle. Never thrown: a failure is data. */
export type TargetOutcome =
  | {
      readonly kind: 'ok';
      readonly target: Target;
      readonly values: MetricValue[];
      readonly graphs: readonly GraphMeta[];
      readonly dropped: readonly { reason: string; count: number }[];
      readonly bytes: number;
    }
  | { readonly kind: 'failed'; readonly target: Target; readonly stage: 'scrape' | 'parse'; readonly reason: string; readonly errorName: string };

/** Everything parseTarget needs besides the target and its body. */
export interface TargetContext {
  readonly counters: CounterStore;
  readonly metricKey: MetricKeyMode;
  readonly nowS: number;
}

/** Parses and names one target's fetched body as metric values of the given Mackerel host. */
export function parseTarget(
  target: Target,
  hostId: string,
  scraped: Result<ScrapeBody, ScrapeError>,
  ctx: TargetContext,
): TargetOutcome {
  if (!scraped.ok) {
    return { kind: 'failed', target, stage: 'scrape', reason: scraped.error.message, errorName: scraped.error.name };
  }
  const parsed = parseBody(target.format, scraped.value.body, {
    targetId: target.id,
    now: ctx.nowS,
    counters: ctx.counters,
  });
  if (!parsed.ok) {
    return { kind: 'failed', target, stage: 'parse', reason: parsed.error.message, errorName: parsed.error.name };
  }
  const key = metricKey(target, ctx.metricKey);
  const values: MetricValue[] = [];
  const dropped = [...parsed.value.dropped];
  let badNames = 0;
  for (const sample of parsed.value.samples) {
    const name = metricName(target.prefix, key, sample);
    if (!name.ok) {
      badNames++;
      continue;
    }
    values.push({ hostId, name: name.value, time: sample.time, value: sample.value });
  }
  if (badNames > 0) dropped.push({ reason: 'metric name cannot be made valid', count: badNames });
  return { kind: 'ok', target, values, graphs: parsed.value.graphs, dropped, bytes: scraped.value.bytes };
}
