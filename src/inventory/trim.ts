import type { Inventory, InventoryTask } from './model';

/**
 * Mackerel refuses host metadata over 100 KB with 413 (reference mackerel-api.md §6). Measured as UTF-8
 * bytes of the JSON body, with a margin below 102,400 in case "KB" means 1,000 there.
 */
export const INVENTORY_MAX_BYTES = 100_000;

/** The trimmed document and what was left out of it. */
export interface TrimResult {
  readonly inventory: Inventory;
  readonly droppedTasks: number;
  readonly droppedTombstones: number;
}

const byteSize = (inv: Inventory): number => Buffer.byteLength(JSON.stringify(inv), 'utf8');

/**
 * Fits a document under `maxBytes` just before it is written: tombstones go first (oldest first), then the
 * tasks seen longest ago (by `lastSeen`, then `firstSeen`), which are added to `trimmed` so that the host
 * page says how many tasks are missing. A document that fits is returned as it is.
 */
export function trimToLimit(inv: Inventory, maxBytes: number = INVENTORY_MAX_BYTES): TrimResult {
  if (byteSize(inv) <= maxBytes) return { inventory: inv, droppedTasks: 0, droppedTombstones: 0 };
  const tombstones = inv.tombstones ?? [];
  // Tombstones are appended as tasks stop, so the oldest come first.
  const withTombstones = (drop: number): Inventory => {
    const { tombstones: _all, ...rest } = inv;
    const kept = tombstones.slice(drop);
    return kept.length > 0 ? { ...rest, tombstones: kept } : rest;
  };
  const droppedTombstones = fewestToDrop(tombstones.length, (k) => byteSize(withTombstones(k)) <= maxBytes);
  const lean = withTombstones(droppedTombstones);
  if (byteSize(lean) <= maxBytes) return { inventory: lean, droppedTasks: 0, droppedTombstones };

  const oldestFirst = [...lean.tasks].sort(byAge);
  const withoutOldest = (drop: number): Inventory => {
    const gone = new Set(oldestFirst.slice(0, drop));
    return { ...lean, tasks: lean.tasks.filter((t) => !gone.has(t)), trimmed: lean.trimmed + drop };
  };
  const droppedTasks = fewestToDrop(oldestFirst.length, (k) => byteSize(withoutOldest(k)) <= maxBytes);
  return { inventory: withoutOldest(droppedTasks), droppedTasks, droppedTombstones };
}

function byAge(a: InventoryTask, b: InventoryTask): number {
  return Date.parse(a.lastSeen) - Date.parse(b.lastSeen) || Date.parse(a.firstSeen) - Date.parse(b.firstSeen);
}

/**
 * The smallest k in [0, n] for which `fits(k)`, or n. Binary search (a few serialisations instead of one per
 * task); fitting is monotone in k except for the digits of `trimmed`, hence the final step-up.
 */
function fewestToDrop(n: number, fits: (k: number) => boolean): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (fits(mid)) hi = mid;
    else lo = mid + 1;
  }
  let k = lo;
  while (k < n && !fits(k)) k++;
  return k;
}
