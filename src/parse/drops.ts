import { NAME_TOO_LONG } from '../mackerel/naming';
import type { DropCount } from './types';

/** Reasons a value is not posted, as they appear in the cycle summary. */
export const DROP = {
  nonFinite: 'NaN or infinite value',
  buckets: 'histogram buckets not posted',
  created: 'created timestamps not posted',
  info: 'info metric not posted',
  familyLimit: 'series over the per-family limit',
  targetLimit: 'series over the per-target limit',
  /** The same series (same family, same labels once empty values are removed) twice in one body. */
  duplicate: 'duplicate series',
  /** A different series whose name is already taken (parse/seriesName.ts lists when that can happen). */
  collision: 'name collision',
  /** A line Prometheus would not read; the rest of the body is still posted. */
  unparsable: 'unparsable line',
  timestamp: "timestamp outside Mackerel's window",
  baseline: 'counter baseline (first sample)',
  reset: 'counter reset (re-baselined)',
  gap: 'counter gap over 600 s (re-baselined)',
  tooSoon: 'counter sampled again too soon',
  badLine: 'malformed plugin line',
  badName: 'invalid plugin metric name',
  badMeta: 'invalid plugin META',
  tooLong: NAME_TOO_LONG,
} as const;

/** Counts drops by reason, in first-seen order. */
export class DropTally {
  private readonly counts = new Map<string, number>();

  add(reason: string, count = 1): void {
    this.counts.set(reason, (this.counts.get(reason) ?? 0) + count);
  }

  list(): DropCount[] {
    return [...this.counts].map(([reason, count]) => ({ reason, count }));
  }
}
