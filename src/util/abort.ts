/**
 * Listeners waiting on each signal. Hundreds of concurrent scrapes share one cycle signal; one real listener
 * per signal fanning out to a Set keeps Node from warning "MaxListenersExceededWarning … 11 abort listeners"
 * and leaves the caller's signal untouched (no setMaxListeners on someone else's object).
 */
const waiting = new WeakMap<AbortSignal, Set<() => void>>();

/**
 * Runs `fn` once when `signal` aborts (the caller checks `signal.aborted` first). Returns a function that
 * detaches `fn`; call it when the guarded work is done so nothing accumulates on a long-lived signal.
 */
export function onAbort(signal: AbortSignal, fn: () => void): () => void {
  let set = waiting.get(signal);
  if (set === undefined) {
    const created = new Set<() => void>();
    signal.addEventListener('abort', () => [...created].forEach((f) => f()), { once: true });
    waiting.set(signal, created);
    set = created;
  }
  const own = set;
  own.add(fn);
  return () => own.delete(fn);
}
