/**
 * A small bounded LRU with an optional time-to-live, kept at module scope so a warm Lambda skips lookups of
 * things that do not change (task definition revisions) or rarely do (container instance → EC2 instance).
 * Map iteration order is insertion order, so re-inserting on read makes the first key the least recently used.
 */

/** Options of {@link LruCache}. */
export interface LruCacheOptions {
  /** Entries kept; the least recently used goes first when full. */
  readonly maxEntries: number;
  /** Entries older than this are treated as absent; omit for no expiry. */
  readonly ttlMs?: number;
  /** Clock in epoch milliseconds; injectable for tests. */
  readonly now?: () => number;
}

/** Bounded least-recently-used map with optional expiry. */
export class LruCache<K, V> {
  private readonly entries = new Map<K, { value: V; storedAt: number }>();
  private readonly maxEntries: number;
  private readonly ttlMs: number | undefined;
  private readonly now: () => number;

  constructor(options: LruCacheOptions) {
    if (!Number.isInteger(options.maxEntries) || options.maxEntries < 1) throw new RangeError('maxEntries must be a positive integer');
    this.maxEntries = options.maxEntries;
    this.ttlMs = options.ttlMs;
    this.now = options.now ?? Date.now;
  }

  /** The value, or undefined when absent or expired; a hit becomes the most recently used. */
  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    this.entries.delete(key);
    if (this.ttlMs !== undefined && this.now() - entry.storedAt >= this.ttlMs) return undefined;
    this.entries.set(key, entry);
    return entry.value;
  }

  /** Stores a value as the most recently used, evicting the least recently used when full. */
  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, { value, storedAt: this.now() });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
  }

  /** Removes one entry. */
  delete(key: K): void {
    this.entries.delete(key);
  }

  /** Removes everything. */
  clear(): void {
    this.entries.clear();
  }

  /** Entries held, expired ones included until they are next read. */
  get size(): number {
    return this.entries.size;
  }
}
