/**
 * Maps `items` through `fn` with at most `limit` calls in flight, keeping the input order in the result.
 *
 * `fn` is expected to report failure as data (a Result); if it throws anyway, no new item is started, the
 * calls already in flight are allowed to settle, and then the first error is rethrown.
 * A `limit` below 1 (or NaN) is treated as 1; `Infinity` runs everything at once.
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  const workers = Math.min(items.length, Number.isNaN(limit) ? 1 : Math.max(1, Math.floor(limit)));
  let next = 0;
  let failure: { error: unknown } | undefined;

  const work = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      const index = next++;
      try {
        results[index] = await fn(items[index] as T, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };

  await Promise.all(Array.from({ length: workers }, work));
  if (failure !== undefined) throw failure.error;
  return results;
}
