import type { MetricValue } from '../types';

/**
 * Mackerel's acceptance window: `POST /api/v0/tsdb` answers 200 but silently drops timestamps more than 24 h
 * old (mackerelio/documents, "Posting host metrics"; reference/mackerel-api.md §2). Older queued values are
 * dropped here, counted as `retryDropped.age`, instead of being sent for nothing.
 */
export const MACKEREL_ACCEPT_WINDOW_S = 24 * 3600;

/**
 * The queue's cap in estimated JSON bytes (see {@link estimateValueBytes}). 64 MiB holds about 500,000 values of
 * 130 bytes: 50 minutes of a 10,000-values-a-minute cluster. The queue lives in the function's memory
 * (1,024 MB by default) next to the scrape budget (MAX_INFLIGHT_BYTES), so it is a fixed share, not "all of it".
 */
export const RETRY_QUEUE_MAX_BYTES = 64 * 1024 * 1024;

/** Bytes a value takes in a tsdb request body: `{"hostId":"…","name":"…","time":1767225600,"value":…}`. */
export function estimateValueBytes(v: MetricValue): number {
  return 64 + v.hostId.length + v.name.length;
}

/** Values dropped from the queue, by why. Never silent: the cycle summary reports each cycle's counts. */
export interface RetryDropped {
  /** Dropped, oldest first, because the queue was over its byte cap. */
  cap: number;
  /** Dropped because Mackerel would no longer accept them (older than its 24 h window). */
  age: number;
}

/**
 * Values that failed to post, kept oldest first for the next cycle. Bounded in bytes: when an enqueue takes it
 * over the cap, the oldest values go first (the newest are worth more to a graph being watched now).
 */
export interface RetryQueue {
  /** Appends values (oldest first) and trims the oldest beyond the cap; returns how many the cap dropped. */
  enqueue(values: readonly MetricValue[]): number;
  /** Takes every value still inside Mackerel's window and empties the queue; `age` counts what it dropped. */
  drain(nowS: number): { values: MetricValue[]; age: number };
  /** Queued values. */
  readonly length: number;
  /** Their estimated JSON bytes. */
  readonly bytes: number;
  /** Drops counted since the queue was created (the summary reports per-cycle differences). */
  readonly dropped: Readonly<RetryDropped>;
}

/** Creates an empty queue; `maxBytes` defaults to {@link RETRY_QUEUE_MAX_BYTES}. */
export function createRetryQueue(maxBytes: number = RETRY_QUEUE_MAX_BYTES): RetryQueue {
  // A head index instead of Array#shift: trimming 10,000 values off a 500,000-value queue stays O(trimmed).
  let items: MetricValue[] = [];
  let head = 0;
  let bytes = 0;
  const dropped: RetryDropped = { cap: 0, age: 0 };

  const compact = (): void => {
    if (head > 0 && head * 2 >= items.length) {
      items = items.slice(head);
      head = 0;
    }
  };

  return {
    enqueue(values) {
      for (const v of values) {
        items.push(v);
        bytes += estimateValueBytes(v);
      }
      let capped = 0;
      while (bytes > maxBytes && head < items.length) {
        bytes -= estimateValueBytes(items[head] as MetricValue);
        head++;
        capped++;
      }
      dropped.cap += capped;
      compact();
      return capped;
    },
    drain(nowS) {
      const oldest = nowS - MACKEREL_ACCEPT_WINDOW_S;
      const values: MetricValue[] = [];
      let age = 0;
      for (let i = head; i < items.length; i++) {
        const v = items[i] as MetricValue;
        if (v.time > oldest) values.push(v);
        else age++;
      }
      items = [];
      head = 0;
      bytes = 0;
      dropped.age += age;
      return { values, age };
    },
    get length() {
      return items.length - head;
    },
    get bytes() {
      return bytes;
    },
    dropped,
  };
}
