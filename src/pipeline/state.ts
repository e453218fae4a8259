import type { Inventory } from '../inventory/model';
import type { CounterPoint, CounterStore, MetricValue } from '../types';

/** Values that failed to post, kept for the next cycle (Mackerel accepts values up to 24 h old). */
export const RETRY_QUEUE_MAX_VALUES = 200_000;
/** Values older than this are not re-sent: Mackerel silently drops timestamps older than 24 h. */
export const RETRY_MAX_AGE_S = 23 * 3600;
/** Wildcard graph definitions lapse after hours without data; re-post them this often. */
export const GRAPH_DEFS_REFRESH_MS = 3 * 3600 * 1000;
/** Counter baselines not touched for this long are forgotten (a task that stopped). */
export const COUNTER_MAX_IDLE_S = 3600;

/**
 * What one warm Lambda container remembers between cycles: counter baselines, when each graph definition was
 * last posted, and values waiting to be re-sent. A cold start begins empty; nothing here is required for
 * correctness, only for diffs and to avoid re-posting.
 */
export interface CollectorState {
  readonly counters: CounterStore & {
    prune(olderThan: number): void;
    /** Drops every baseline whose key starts with `prefix` (a stopped task's `<cluster>/<taskId>/`). */
    forget(prefix: string): void;
    readonly size: number;
  };
  readonly graphDefsPostedAt: Map<string, number>;
  /** The last `ecs-tasks` inventory read or written per Mackerel host id. */
  readonly inventories: Map<string, Inventory>;
  retryQueue: MetricValue[];
  retryDropped: number;
  /** When this container last created/updated the dashboards (DASHBOARDS=hourly). */
  dashboardsSyncedAt?: number;
}

/** A counter store on a Map, with pruning of stale baselines. */
export function createCounterStore(): CollectorState['counters'] {
  const map = new Map<string, CounterPoint>();
  return {
    get: (key) => map.get(key),
    set: (key, point) => void map.set(key, point),
    prune(olderThan: number) {
      for (const [k, p] of map) if (p.time < olderThan) map.delete(k);
    },
    forget(prefix: string) {
      for (const k of map.keys()) if (k.startsWith(prefix)) map.delete(k);
    },
    get size() {
      return map.size;
    },
  };
}

/** A fresh, empty state (a cold start). */
export function createCollectorState(): CollectorState {
  return { counters: createCounterStore(), graphDefsPostedAt: new Map(), inventories: new Map(), retryQueue: [], retryDropped: 0 };
}

/**
 * Adds failed values to the retry queue, oldest dropped first when it is over its cap; returns how many
 * were dropped.
 */
export function enqueueRetry(state: CollectorState, values: readonly MetricValue[]): number {
  state.retryQueue.push(...values);
  const over = state.retryQueue.length - RETRY_QUEUE_MAX_VALUES;
  if (over > 0) {
    state.retryQueue.splice(0, over);
    state.retryDropped += over;
    return over;
  }
  return 0;
}

/** Takes the queued values still young enough to be accepted, and empties the queue. */
export function drainRetry(state: CollectorState, nowS: number): MetricValue[] {
  const fresh = state.retryQueue.filter((v) => v.time >= nowS - RETRY_MAX_AGE_S);
  state.retryDropped += state.retryQueue.length - fresh.length;
  state.retryQueue = [];
  return fresh;
}
