import { errorKind } from '../issues/kind';
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
  /**
   * The stored document (undefined when there is none); a corrupt one is reported and treated as empty.
   * `fresh` bypasses the warm cache: the other function (collect vs refresh) may have written since.
   */
  load(hostId: string, signal?: AbortSignal, fresh?: boolean): Promise<LoadedInventory>;
  /** Hosts this container has read or written: revisited by the cycle even when no target runs there any more. */
  knownHosts(): string[];
  /** Writes a merged document (trimmed to the 100 KB limit); returns an issue when the write failed. */
  save(hostId: string, inventory: Inventory, signal?: AbortSignal): Promise<Issue | undefined>;
  /** False for a store that writes nothing to Mackerel (a dry run, or the in-memory store): its saves are not counted as written. */
  readonly persists: boolean;
}

/** A loaded document; `cached` says it came from the warm cache rather than from Mackerel just now. */
export interface LoadedInventory {
  readonly inventory?: Inventory;
  readonly issue?: Issue;
  readonly failed?: boolean;
  readonly cached?: boolean;
}

/** A store over the metadata API with a warm-container cache; `dryRun` reads but never writes. */
export function createInventoryStore(metadata: MetadataPort, cache: Map<string, Inventory>, logger: Logger, dryRun: boolean): InventoryStore {
  return {
    persists: !dryRun,
    knownHosts: () => [...cache.keys()],
    async load(hostId, signal, fresh = false) {
      const cached = fresh ? undefined : cache.get(hostId);
      if (cached) return { inventory: cached, cached: true };
      const got = await metadata.getHostMetadata(hostId, INVENTORY_NAMESPACE, signal);
      if (!got.ok) {
        if (got.error instanceof CriticalError) throw got.error;
        logger.warn('inventory read failed', { hostId, reason: got.error.message });
        return { failed: true, issue: { target: `host ${hostId}`, reason: `inventory read failed: ${got.error.message}`, stage: 'inventory', kind: errorKind(got.error) } };
      }
      if (got.value === undefined) {
        cache.delete(hostId);
        return {};
      }
      const parsed = parseInventory(got.value);
      if (!parsed.ok) {
        logger.warn('inventory corrupt', { hostId, reason: parsed.error });
        return { issue: { target: `host ${hostId}`, reason: `${parsed.error}; starting from an empty inventory`, stage: 'inventory', kind: 'corrupt' } };
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
      return { target: `host ${hostId}`, reason: `inventory write failed: ${put.error.message}`, stage: 'inventory', kind: errorKind(put.error) };
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
    persists: false,
    knownHosts: () => [...docs.keys()],
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
  // A host this container knows whose last task stopped has no target now: visit it to retire its tasks. Only on
  // a complete snapshot: otherwise "no target" may just mean "not seen this time".
  if (opts.complete) for (const hostId of store.knownHosts()) if (!byHost.has(hostId)) byHost.set(hostId, []);
  const keys = new Map<string, string>();
  if (opts.mode !== 'slot') {
    for (const p of placed) keys.set(p.target.taskArn, metricKey(p.target, opts.mode));
  }
  const unkeyedHosts = new Map<string, string>();
  const issues: Issue[] = [];
  let written = 0;
  await mapLimit([...byHost], INVENTORY_CONCURRENCY, async ([hostId, targets]) => {
    const observed = observedTasksFromTargets(targets, opts.mode);
    const merge = (inv: Inventory | undefined) =>
      observeTasks(inv, observed, opts.now, { complete: opts.complete, snapshotStartedAt: opts.snapshotStartedAt });
    const outcome = await mergeAndWrite(hostId, store, merge, signal);
    issues.push(...outcome.issues);
    if (outcome.merge === undefined) {
      if (opts.mode === 'slot' && targets.length > 0) unkeyedHosts.set(hostId, outcome.issues[0]?.reason ?? 'inventory unavailable');
      return; // never overwrite a document we could not read
    }
    if (opts.mode === 'slot') for (const t of outcome.merge.inventory.tasks) keys.set(t.taskArn, t.metricKey);
    if (outcome.written) written++;
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
  const outcome = await mergeAndWrite(hostId, store, (inv) => applyTaskEvent(inv, event, now), signal);
  return { ...(outcome.merge ? { merge: outcome.merge } : {}), ...(outcome.issues[0] ? { issue: outcome.issues[0] } : {}) };
}

/**
 * Read (warm cache), merge, and when the merge changes something: read again from Mackerel and merge on that,
 * then write. The scheduled and the refresh functions run in different containers, each with its own cache, so
 * a cached document may miss the other's writes (a slot given by refresh, a tombstone); merging on the fresh
 * copy before writing keeps both. A steady state costs no request at all.
 */
async function mergeAndWrite(
  hostId: string,
  store: InventoryStore,
  merge: (inv: Inventory | undefined) => MergeResult,
  signal?: AbortSignal,
): Promise<{ merge?: MergeResult; written: boolean; issues: Issue[] }> {
  const issues: Issue[] = [];
  const cached = await store.load(hostId, signal);
  if (cached.issue) issues.push(cached.issue);
  if (cached.failed) return { written: false, issues };
  const first = merge(cached.inventory);
  if (!first.changed) return { merge: first, written: false, issues };
  if (!cached.cached) return write(hostId, store, first, issues, signal);
  const fresh = await store.load(hostId, signal, true);
  if (fresh.failed) return { written: false, issues: fresh.issue ? [...issues, fresh.issue] : issues };
  const final = merge(fresh.inventory);
  if (!final.changed) return { merge: final, written: false, issues };
  return write(hostId, store, final, issues, signal);
}

async function write(
  hostId: string,
  store: InventoryStore,
  merged: MergeResult,
  issues: Issue[],
  signal?: AbortSignal,
): Promise<{ merge: MergeResult; written: boolean; issues: Issue[] }> {
  const failure = await store.save(hostId, merged.inventory, signal);
  return { merge: merged, written: failure === undefined && store.persists, issues: failure ? [...issues, failure] : issues };
}
