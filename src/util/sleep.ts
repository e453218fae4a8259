import { onAbort } from './abort';

/**
 * Waits `ms` milliseconds. Resolves `true` when the time has passed, or `false` as soon as `signal` aborts
 * (at once if it already has), so retry loops can stop early without try/catch.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const detach =
      signal === undefined
        ? () => true
        : onAbort(signal, () => {
            clearTimeout(timer);
            resolve(false);
          });
    const timer = setTimeout(() => {
      detach();
      resolve(true);
    }, Math.max(0, ms));
  });
}
