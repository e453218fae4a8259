import type { CheckStatus } from '../checks/report';
import type { Inventory } from '../inventory/model';
import type { CounterPoint, CounterStore } from '../types';
import { createRetryQueue, type RetryQueue } from './retryQueue';
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
  /** Values that failed to post, oldest first, bounded in bytes (retryQueue.ts). */
  readonly retryQueue: RetryQueue;
  /** When this container last created/updated the dashboards (DASHBOARDS=hourly). */
  dashboardsSyncedAt?: number;
  /** When this container last created/updated the collector's monitors (MONITORS=on). */
  monitorsSyncedAt?: number;
  /** The check status last reported per Mackerel host (CHECKS=on): a host missing from a cycle gets a final OK. */
  readonly checks: Map<string, CheckStatus>;
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

/** A fresh, empty state (a cold start); `retryQueueMaxBytes` overrides the queue's cap (RETRY_QUEUE_MAX_BYTES). */
export function createCollectorState(opts: { retryQueueMaxBytes?: number } = {}): CollectorState {
  return {
    counters: createCounterStore(),
    graphDefsPostedAt: new Map(),
    inventories: new Map(),
    retryQueue: createRetryQueue(opts.retryQueueMaxBytes),
    checks: new Map(),
  };
}
