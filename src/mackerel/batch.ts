/**
 * Values per `POST /api/v0/tsdb`. The batch limit is unverified: Mackerel documents none, and the agent
 * sends at most two minutes of one host's values per request (see reference/mackerel-api.md §2).
 */
export const MAX_METRICS_PER_POST = 1000;

/** Splits `items` into consecutive slices of at most `size` items (the last may be shorter). */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`chunk size must be a positive integer, got ${size}`);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
