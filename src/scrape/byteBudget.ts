/**
 * MAX_INFLIGHT_BYTES: the body bytes every concurrent scrape may hold at once, together. A body takes its
 * bytes chunk by chunk as they arrive and gives them back once it has been parsed and dropped. A chunk that
 * does not fit waits (the scraper pauses its socket) instead of failing.
 *
 * Waiting alone could deadlock: 256 bodies that each hold 1 MiB of a 256 MiB budget and each need 3 MiB more
 * would wait for each other until their timeouts. So a chunk is granted only when every body holding bytes
 * could still finish, one after another, with the bytes that are free plus those the bodies before it give
 * back (the banker's algorithm, for one resource). A body's claim is its Content-Length, else MAX_BODY_BYTES.
 * Some body can therefore always go on, and new bodies start only when the ones already streaming can end.
 */

/** One body's share of the budget, from its first byte until it has been parsed. */
export interface BodyLease {
  /** The budget's limit (MAX_INFLIGHT_BYTES): no single body may be larger. */
  readonly limitBytes: number;
  /** Bytes this body holds. */
  readonly held: number;
  /** The most this body will take (Content-Length, else MAX_BODY_BYTES); call once its headers are in. */
  expect(maxBytes: number): void;
  /** Takes `n` more bytes now if that is safe; false when the caller must {@link wait}. */
  tryTake(n: number): boolean;
  /** Takes `n` bytes as soon as that is safe, then calls `granted` (in a microtask). One wait at a time. */
  wait(n: number, granted: () => void): void;
  /** The body is complete: it takes nothing more, and what it holds stays until {@link release}. */
  finish(): void;
  /** Gives every byte back and withdraws a pending wait. Idempotent. */
  release(): void;
}

/** The shared budget. */
export interface ByteBudget {
  readonly limitBytes: number;
  /** Bytes held by all bodies now. */
  inUse(): number;
  /** Opens a lease for one body. Its claim is the whole limit until {@link BodyLease.expect} narrows it. */
  open(): BodyLease;
}

interface LeaseState {
  held: number;
  max: number;
  streaming: boolean;
  want?: { n: number; granted: () => void };
}

/** Creates a budget of `limitBytes` (Infinity: unbounded, every take succeeds). */
export function createByteBudget(limitBytes: number): ByteBudget {
  let used = 0;
  /** Leases holding bytes: the only ones that can block others. */
  const holders = new Set<LeaseState>();
  /** Leases waiting for bytes. */
  const waiters: LeaseState[] = [];

  const need = (l: LeaseState): number => (l.streaming ? Math.max(0, l.max - l.held) : 0);

  /** The largest claim of any body that has taken bytes: a bound on every holder's need. */
  let claimBound = 0;

  /** After `lease` takes `n`, can every holder still finish in some order? (The state before is always safe.) */
  const safeToTake = (lease: LeaseState, n: number): boolean => {
    const free = limitBytes - used - n;
    if (free < 0) return false;
    // O(1) cases, which are nearly all: the free bytes alone let every holder finish, or at least this body
    // (it finishes first, gives back what it holds, and the others go on as they could before).
    if (free >= Math.max(claimBound, lease.max)) return true;
    if (need(lease) <= free + n) return true;
    const after = (l: LeaseState): [need: number, held: number] =>
      l === lease ? [Math.max(0, need(l) - n), l.held + n] : [need(l), l.held];
    const states = [...holders].map(after);
    if (!holders.has(lease)) states.push(after(lease));
    // Finish the smallest need first; each finished body frees what it held.
    states.sort((a, b) => a[0] - b[0]);
    let available = free;
    for (const [needs, held] of states) {
      if (needs > available) return false;
      available += held;
    }
    return true;
  };

  const take = (lease: LeaseState, n: number): void => {
    used += n;
    lease.held += n;
    claimBound = Math.max(claimBound, lease.max);
    if (lease.held > 0) holders.add(lease);
  };

  /**
   * Grants waiting bodies, smallest remaining need first, until one is not safe. The smallest need is always
   * safe when every holder waits (it can finish from the free bytes), so some body always goes on.
   */
  const drain = (): void => {
    if (waiters.length === 0) return;
    const order = [...waiters].sort((a, b) => need(a) - need(b));
    for (const lease of order) {
      const want = lease.want;
      if (want === undefined) continue;
      if (!safeToTake(lease, want.n)) break;
      waiters.splice(waiters.indexOf(lease), 1);
      lease.want = undefined;
      take(lease, want.n);
      queueMicrotask(want.granted);
    }
  };

  return {
    limitBytes,
    inUse: () => used,
    open(): BodyLease {
      const state: LeaseState = { held: 0, max: limitBytes, streaming: true };
      let released = false;
      return {
        limitBytes,
        get held() {
          return state.held;
        },
        expect(maxBytes) {
          state.max = Math.min(maxBytes, limitBytes);
        },
        tryTake(n) {
          if (released || !safeToTake(state, n)) return false;
          take(state, n);
          return true;
        },
        wait(n, granted) {
          if (released) return;
          state.want = { n, granted };
          waiters.push(state);
          drain();
        },
        finish() {
          state.streaming = false;
          drain();
        },
        release() {
          if (released) return;
          released = true;
          state.want = undefined;
          const i = waiters.indexOf(state);
          if (i >= 0) waiters.splice(i, 1);
          used -= state.held;
          state.held = 0;
          state.streaming = false;
          holders.delete(state);
          drain();
        },
      };
    },
  };
}
