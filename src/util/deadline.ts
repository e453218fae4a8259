import { onAbort } from './abort';

/** Why a deadline fired: its own timer, or the parent signal (the cycle's deadline or a caller's cancel). */
export type DeadlineCause = 'timeout' | 'aborted';

/** An AbortSignal that fires after a timeout or when a parent signal aborts, whichever comes first. */
export interface Deadline {
  readonly signal: AbortSignal;
  /** What fired the signal, or undefined while it has not fired. */
  cause(): DeadlineCause | undefined;
  /** Stops the timer and detaches from the parent; call once the guarded work has settled. */
  clear(): void;
}

/**
 * Creates a per-call deadline. Hand-rolled rather than `AbortSignal.any([parent, AbortSignal.timeout()])`
 * so that callers can tell a timeout from a cancel, and so that nothing stays attached to a long-lived
 * cycle signal after the call is done.
 */
export function createDeadline(timeoutMs: number, parent?: AbortSignal): Deadline {
  const controller = new AbortController();
  let fired: DeadlineCause | undefined;
  const fire = (why: DeadlineCause): void => {
    if (fired !== undefined) return;
    fired = why;
    controller.abort(new Error(why === 'timeout' ? `timed out after ${timeoutMs} ms` : 'aborted'));
  };
  const timer = setTimeout(() => fire('timeout'), timeoutMs);
  let detach = (): void => undefined;
  if (parent?.aborted) fire('aborted');
  else if (parent !== undefined) detach = onAbort(parent, () => fire('aborted'));
  return {
    signal: controller.signal,
    cause: () => fired,
    clear: () => {
      clearTimeout(timer);
      detach();
    },
  };
}
