import { CriticalError } from '../errors';
import { observedTasksFromTargets } from '../inventory/observed';
import { applyTaskEvent, observeTasks, trimToLimit, type MergeResult, type TaskEvent } from '../inventory/merge';
import { INVENTORY_NAMESPACE, parseInventory, type Inventory } from '../inventory/model';
import type { MetadataPort } from '../mackerel/metadataClient';
import type { Logger } from '../log';
import { metricKey } from '../mackerel/naming';
import type { Issue, MetricKeyMode, Target } from '../types';
import { mapLimit } from '../util/mapLimit';

/** Host metadata reads and writes in flight. */
export const INVENTORY_CONCURRENCY = 32;

/**
 * The `ecs-tasks` inventory of each host: read once per warm container (a cold start reads it back, which is
 * how slot keys survive), merged in memory, written only when the merge changed something.
 */
export interface InventoryStore {
  /** The stored document (undefined when there is none); a corrupt one is reported and treated as empty. */
  load(hostId: string, signal?: AbortSignal): Promise<{ inventory?: Inventory; issue?: Issue; failed?: boolean }>;
  /** Writes a merged document (trimmed to the 100 KB limit); returns an issue when the write failed. */
  save(hostId: string, inventory: Inventory, signal?: AbortSignal): Promise<Issue | undefined>;
}

/** A store over the metadata API with a warm-container cache; `dryRun` reads but never writes. */
export function createInventoryStore(metadata: MetadataPort, cache: Map<string, Inventory>, logger: Logger, dryRun: boolean): InventoryStore {
  return {
    async load(hostId, signal) {
      const cached = cache.get(hostId);
      if (cached) return { inventory: cached };
      const got = await metadata.getHostMetadata(hostId, INVENTORY_NAMESPACE, signal);
      if (!got.ok) {
        if (got.error instanceof CriticalError) throw got.error;
        logger.warn('inventory read failed', { hostId, reason: got.error.message });
        return { failed: true, issue: { target: `host ${hostId}`, reason: `inventory read failed: ${got.error.message}` } };
      }
      if (got.value === undefined) return {};
      const parsed = parseInventory(got.value);
      if (!parsed.ok) {
        logger.warn('inventory corrupt', { hostId, reason: parsed.error });
        return { issue: { target: `host ${hostId}`, reason: `${parsed.error}; starting from an empty inventory` } };
      }
      cache.set(hostId, parsed.value);
      return { inventory: parsed.value };
    },
    async save(hostId, inventory, signal) {
      const { inventory: trimmed } = trimToLimit(inventory);
      if (dryRun) return undefined;
      const put = await metadata.putHostMetadata(hostId, INVENTORY_NAMESPACE, trimmed, signal);
      if (put.ok) {
        cache.set(hostId, trimmed);
        return undefined;
      }
      if (put.error instanceof CriticalError) throw put.error;
      // Read it back next time: what Mackerel holds is no longer what we have in memory.
      cache.delete(hostId);
      logger.warn('inventory write failed', { hostId, reason: put.error.message });
      return { target: `host ${hostId}`, reason: `inventory write failed: ${put.error.message}` };
    },
  };
}

/**
 * A store that keeps documents in memory only: a dry run without an API key (slot keys are then assigned as if
 * every host were new).
 */
export function createMemoryInventoryStore(): InventoryStore {
  const docs = new Map<string, Inventory>();
  return {
    load: async (hostId) => ({ inventory: docs.get(hostId) }),
    save: async (hostId, inventory) => {
      docs.set(hostId, inventory);
      return undefined;
    },
  };
}

/** What the inventory step of a cycle produced. */
export interface InventorySyncResult {
  /** The `<key>` node per task ARN. */
  readonly keys: ReadonlyMap<string, string>;
  /** Hosts whose inventory could not be read under METRIC_KEY=slot: their targets cannot be named. */
  readonly unkeyedHosts: ReadonlyMap<string, string>;
  readonly issues: readonly Issue[];
  readonly written: number;
}

/**
 * Merges each host's observed tasks into its inventory, writes the changed ones, and returns every task's
 * metric key (slot keys come from the inventory, the others from the target alone).
 */
export async function syncInventories(
  placed: readonly { target: Target; hostId: string }[],
  opts: { mode: MetricKeyMode; complete: boolean; snapshotStartedAt: Date; now: Date },
  store: InventoryStore,
  signal?: AbortSignal,
): Promise<InventorySyncResult> {
  const byHost = new Map<string, Target[]>();
  for (const p of placed) byHost.set(p.hostId, [...(byHost.get(p.hostId) ?? []), p.target]);
  const keys = new Map<string, string>();
  if (opts.mode !== 'slot') {
    for (const p of placed) keys.set(p.target.taskArn, metricKey(p.target, opts.mode));
  }
  const unkeyedHosts = new Map<string, string>();
  const issues: Issue[] = [];
  let written = 0;
  await mapLimit([...byHost], INVENTORY_CONCURRENCY, async ([hostId, targets]) => {
    const loaded = await store.load(hostId, signal);
    if (loaded.issue) issues.push(loaded.issue);
    if (loaded.failed) {
      if (opts.mode === 'slot') unkeyedHosts.set(hostId, loaded.issue?.reason ?? 'inventory unavailable');
      return; // never overwrite a document we could not read
    }
    const merged = observeTasks(loaded.inventory, observedTasksFromTargets(targets, opts.mode), opts.now, {
      complete: opts.complete,
      snapshotStartedAt: opts.snapshotStartedAt,
    });
    for (const t of merged.inventory.tasks) if (opts.mode === 'slot') keys.set(t.taskArn, t.metricKey);
    if (merged.changed) {
      const failure = await store.save(hostId, merged.inventory, signal);
      if (failure) issues.push(failure);
      else written++;
    }
  });
  return { keys, unkeyedHosts, issues, written };
}

/** Applies one task state change to its host's inventory (the refresh path); writes only when changed. */
export async function applyEventToInventory(
  hostId: string,
  event: TaskEvent,
  store: InventoryStore,
  now: Date,
  signal?: AbortSignal,
): Promise<{ merge?: MergeResult; issue?: Issue }> {
  const loaded = await store.load(hostId, signal);
  if (loaded.failed) return { issue: loaded.issue };
  const merge = applyTaskEvent(loaded.inventory, event, now);
  if (!merge.changed) return { merge };
  const failure = await store.save(hostId, merge.inventory, signal);
  return { merge, issue: failure ?? loaded.issue };
}
