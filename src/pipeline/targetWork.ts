import { parseBody, type GraphMeta } from '../parse';
import { metricName } from '../mackerel/naming';
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
  | { readonly kind: 'failed'; readonly target: Target; readonly stage: 'scrape' | 'parse'; readonly reason: string; readonly errorName: string };

/** Everything parseTarget needs besides the target and its body. */
export interface TargetContext {
  readonly counters: CounterStore;
  readonly nowS: number;
}

/** Where a target's values go: its Mackerel host (absent: service metrics only) and its metric key. */
export interface Placement {
  readonly hostId?: string;
  readonly key: string;
}

/** Parses and names one target's fetched body as metric values of its Mackerel host. */
export function parseTarget(
  target: Target,
  { hostId, key }: Placement,
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
  const values: MetricValue[] = [];
  const dropped = [...parsed.value.dropped];
  let badNames = 0;
  if (hostId !== undefined) {
    for (const sample of parsed.value.samples) {
      const name = metricName(target.prefix, key, sample);
      if (name.ok) values.push({ hostId, name: name.value, time: sample.time, value: sample.value });
      else badNames++;
    }
  }
  if (badNames > 0) dropped.push({ reason: 'metric name cannot be made valid', count: badNames });
  return { kind: 'ok', target, key, values, samples: parsed.value.samples, graphs: parsed.value.graphs, dropped, bytes: scraped.value.bytes };
}
