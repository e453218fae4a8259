import { sliceIsOver, yieldSlice } from '../util/cooperate';

/**
 * A parse written as a generator: it `yield`s at points where it may pause (every {@link PAUSE_EVERY_LINES}
 * lines) and returns its result. The same steps run to the end at once ({@link runNow}) or share the event loop
 * ({@link runCooperatively}), so both give identical results by construction.
 */
export type Steps<T> = Generator<void, T, void>;

/** Lines between two pause points: a few hundred microseconds of work, so checking the clock costs nothing. */
export const PAUSE_EVERY_LINES = 512;

/** Runs the steps to the end without pausing. */
export function runNow<T>(steps: Steps<T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/**
 * Runs the steps, letting timers and I/O run whenever the process-wide slice is used up (util/cooperate).
 * Returns `aborted` when `signal` fires during a pause: the rest of the body is not parsed.
 */
export async function runCooperatively<T>(steps: Steps<T>, signal?: AbortSignal): Promise<T | 'aborted'> {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    if (!sliceIsOver()) continue;
    await yieldSlice();
    if (signal?.aborted) return 'aborted';
  }
}
