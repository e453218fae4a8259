/**
 * "Full jitter" exponential back-off: a uniformly random delay in [0, min(maxMs, baseMs * 2^retry)).
 * Spreads retries of many callers hitting the same outage (AWS Architecture Blog, "Exponential Backoff
 * And Jitter", 2015). `retry` counts from 0 for the first retry.
 */
export function fullJitterDelayMs(retry: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, retry));
  return Math.floor(random() * Math.max(0, ceiling));
}
