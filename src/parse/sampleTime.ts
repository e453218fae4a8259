/**
 * Mackerel's acceptance window for host metrics: `POST /api/v0/tsdb` answers 200 but silently drops values more than
 * 24 h old (reference/mackerel-api.md §2). Same value as MACKEREL_ACCEPT_WINDOW_S in pipeline/retryQueue.ts, which
 * parse cannot import (dependencies point from pipeline to parse); test/parse/prometheus.test.ts checks they agree.
 */
export const MACKEREL_ACCEPT_WINDOW_S = 24 * 3600;

/**
 * How far ahead of the scrape an exposed timestamp may be. Mackerel documents no rule for future timestamps; the
 * agent honours plugin timestamps only within ±15 min (`use_plugin_timestamp`, reference §9). A few seconds of
 * clock skew between a task and the collector are normal; 10 minutes ahead means a wrong clock or a wrong unit
 * (microseconds where milliseconds belong), and posting it would put a point in the graph's future.
 */
export const MAX_FUTURE_SKEW_S = 10 * 60;

/** When a sample is posted, and the time its counter rate is computed over. */
export interface SampleTimes {
  /** Sample.time: whole epoch seconds (floor), as Mackerel takes it. */
  readonly time: number;
  /** Epoch seconds with any fraction, so a rate over the exporter's own times keeps millisecond precision. */
  readonly exact: number;
}

/**
 * The times of a sample: the scrape time `now` (epoch seconds) when the line has no timestamp, else its own
 * (epoch milliseconds), or undefined when that is older than {@link MACKEREL_ACCEPT_WINDOW_S} or more than
 * {@link MAX_FUTURE_SKEW_S} ahead of `now`: the sample is dropped and counted.
 */
export function sampleTimes(timestampMs: number | undefined, now: number): SampleTimes | undefined {
  if (timestampMs === undefined) return { time: Math.floor(now), exact: now };
  const exact = timestampMs / 1000;
  if (now - exact > MACKEREL_ACCEPT_WINDOW_S || exact - now > MAX_FUTURE_SKEW_S) return undefined;
  return { time: Math.floor(exact), exact };
}
