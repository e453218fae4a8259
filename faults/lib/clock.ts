/**
 * Fake time for multi-cycle scenarios: `Date.now` runs `offset` ahead of the real clock, and `advance` moves it
 * on by a cycle's minute in no time. Everything that reads the time reads Date.now (the collector's
 * `deps.now`, caches, the Mackerel receiver's 24-hour window), so the collector and the receiver agree on
 * "now"; durations and timers are untouched because the offset is constant between advances.
 */
const realNow = Date.now.bind(Date);

/** A fake clock; `restore()` puts the real Date.now back. */
export interface FakeClock {
  advance(ms: number): void;
  /** Milliseconds the fake clock is ahead of the real one. */
  offset(): number;
  restore(): void;
}

/** Installs a fake clock starting `startOffsetMs` from now. */
export function installFakeClock(startOffsetMs = 0): FakeClock {
  let offset = startOffsetMs;
  Date.now = () => realNow() + offset;
  return {
    advance: (ms) => {
      offset += ms;
    },
    offset: () => offset,
    restore: () => {
      Date.now = realNow;
    },
  };
}

/** One scheduled cycle's interval (EventBridge rate 1 minute). */
export const CYCLE_MS = 60_000;
