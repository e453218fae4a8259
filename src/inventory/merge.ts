/**
 * Pure merges of what the collector saw into a host's inventory. Both paths (the scheduled cycle and ECS
 * task state change events) read the stored document, merge here and write it back only when `changed`.
 */
import { slotKey } from './keys';
import { emptyInventory, type Inventory, type InventoryTask, type ObservedTask, type Tombstone } from './model';

// Trimming lives beside the merge (one reason to change per file); callers import both from here.
export { INVENTORY_MAX_BYTES, trimToLimit, type TrimResult } from './trim';

/** `lastSeen` is rewritten at most this often, so that a steady state writes nothing (1,000 hosts ≠ 1,000 PUTs a minute). */
export const LAST_SEEN_GRANULARITY_MS = 10 * 60_000;
/** Recently stopped tasks remembered against late RUNNING events; a few minutes of stops on a busy host. */
export const TOMBSTONE_LIMIT = 50;

/** The merged document and what the merge did. Write the document only when `changed`. */
export interface MergeResult {
  readonly inventory: Inventory;
  readonly changed: boolean;
  /** Task ARNs added. */
  readonly added: readonly string[];
  /** Task ARNs removed (retired or stopped). */
  readonly removed: readonly string[];
}

/** Options of {@link observeTasks}. */
export interface ObserveOptions {
  /** The discovery snapshot had no issue for this host: tasks not observed have stopped and are retired. */
  readonly complete: boolean;
  /** Default {@link LAST_SEEN_GRANULARITY_MS}. */
  readonly lastSeenGranularityMs?: number;
  /**
   * When the snapshot was taken (default `now`). Tasks first seen after it (added by an event meanwhile)
   * are kept: the snapshot could not have listed them.
   */
  readonly snapshotStartedAt?: Date;
}

/** A task state change as the refresh handler reads it from an EventBridge event. */
export interface TaskEvent {
  readonly taskArn: string;
  /** `detail.version`: grows with each state change of the task. */
  readonly version: number;
  readonly lastStatus: 'RUNNING' | 'STOPPED';
  /** The resolved task, needed to add a RUNNING task not yet in the inventory. */
  readonly task?: ObservedTask;
}

/**
 * The smallest slot n ≥ 1 whose key `<service>-<n>` no live task on this host uses. Pass the service, else
 * the family for a standalone task. Compared by key, so two names that sanitise alike share their slots.
 */
export function assignSlot(inv: Pick<Inventory, 'tasks'>, service: string): number {
  return freeSlot(inv.tasks, service);
}

function freeSlot(tasks: readonly InventoryTask[], service: string): number {
  const used = new Set(
    tasks.flatMap((t) => (t.slot !== undefined && slotKey(t.service, t.family, t.slot) === slotKey(service, service, t.slot) ? [t.slot] : [])),
  );
  let n = 1;
  while (used.has(n)) n++;
  return n;
}

/**
 * The scheduled cycle's view of one host: observed tasks are added (with a slot and `firstSeen`) or
 * updated; with `complete`, tasks not observed are retired. A task stopped by an event (tombstoned) is not
 * brought back by a snapshot that was taken before the stop.
 */
export function observeTasks(inv: Inventory | undefined, observed: readonly ObservedTask[], now: Date, opts: ObserveOptions): MergeResult {
  const base = inv ?? emptyInventory(now);
  const granularityMs = opts.lastSeenGranularityMs ?? LAST_SEEN_GRANULARITY_MS;
  const stopped = new Set((base.tombstones ?? []).map((t) => t.taskArn));
  const seen = new Map(observed.filter((o) => !stopped.has(o.taskArn)).map((o) => [o.taskArn, o]));
  const cutoff = (opts.snapshotStartedAt ?? now).getTime();
  const retired = opts.complete ? base.tasks.filter((t) => !seen.has(t.taskArn) && Date.parse(t.firstSeen) < cutoff) : [];
  // Retire first so that a slot freed by a finished deployment is reused by the tasks that replaced it.
  let tasks = base.tasks.filter((t) => !retired.includes(t));
  let updated = false;
  const added: string[] = [];
  for (const o of [...seen.values()].sort((a, b) => a.taskArn.localeCompare(b.taskArn))) {
    const known = tasks.find((t) => t.taskArn === o.taskArn);
    const next = known ? refresh(known, o, now, granularityMs, tasks) : entryOf(o, freeSlot(tasks, o.service || o.family), now);
    if (!known) added.push(o.taskArn);
    else if (same(known, next)) continue;
    else updated = true;
    tasks = [...tasks.filter((t) => t.taskArn !== o.taskArn), next];
  }
  // A complete view re-adds tasks an earlier trim left out, so the count starts again (trimToLimit recounts).
  const changed = updated || added.length > 0 || retired.length > 0 || base.trimmed !== 0;
  return result(base, tasks, base.tombstones, changed, now, added, retired.map((t) => t.taskArn), 0);
}

/** The tombstone of a task, when an event stopped it and it is still remembered. */
export function tombstoneOf(inv: Pick<Inventory, 'tombstones'> | undefined, taskArn: string): Tombstone | undefined {
  return inv?.tombstones?.find((t) => t.taskArn === taskArn);
}

/**
 * Applies one ECS task state change. Events arrive at least once and out of order: one whose `version` is
 * not above the stored one, a repeated STOPPED event (the task is tombstoned already) and any RUNNING event
 * for a tombstoned task (ECS never restarts a stopped task) change nothing. A STOPPED event for a task not in
 * the inventory still leaves a tombstone: its RUNNING event may be late, and must not add it afterwards.
 * Tombstones are bounded by {@link TOMBSTONE_LIMIT} per host (oldest dropped) and trimmed first by
 * {@link trimToLimit}; they do not expire by age.
 */
export function applyTaskEvent(inv: Inventory | undefined, event: TaskEvent, now: Date): MergeResult {
  const base = inv ?? emptyInventory(now);
  const unchanged: MergeResult = { inventory: base, changed: false, added: [], removed: [] };
  const known = base.tasks.find((t) => t.taskArn === event.taskArn);
  if (known?.version !== undefined && event.version <= known.version) return unchanged;
  const others = base.tasks.filter((t) => t.taskArn !== event.taskArn);
  const tombstoned = tombstoneOf(base, event.taskArn) !== undefined;
  if (event.lastStatus === 'STOPPED') {
    // A task is only ever listed or tombstoned, never both; a second stop (draining, then STOPPED) adds nothing.
    if (!known && tombstoned) return unchanged;
    const tomb: Tombstone = { taskArn: event.taskArn, version: event.version, stoppedAt: now.toISOString() };
    const tombstones = [...(base.tombstones ?? []).filter((t) => t.taskArn !== event.taskArn), tomb].slice(-TOMBSTONE_LIMIT);
    return result(base, others, tombstones, true, now, [], known ? [event.taskArn] : [], base.trimmed);
  }
  if (tombstoned) return unchanged;
  const observed: ObservedTask | undefined = event.task ? { ...event.task, version: event.version } : undefined;
  if (known) {
    // A RUNNING event without the resolved task still records its version, so an older duplicate stays a no-op.
    const next = observed ? refresh(known, observed, now, 0, others) : { ...known, version: event.version, lastSeen: now.toISOString() };
    return result(base, [...others, next], base.tombstones, true, now, [], [], base.trimmed);
  }
  if (!observed) return unchanged;
  const entry = entryOf(observed, assignSlot(base, observed.service || observed.family), now);
  return result(base, [...others, entry], base.tombstones, true, now, [event.taskArn], [], base.trimmed);
}

/** A new inventory entry; `metricKey` defaults to the slot key (METRIC_KEY=slot). */
function entryOf(o: ObservedTask, slot: number, now: Date, seen?: { firstSeen: string; lastSeen: string }): InventoryTask {
  const at = now.toISOString();
  return {
    taskArn: o.taskArn,
    taskId: o.taskId,
    cluster: o.cluster,
    ...(o.service ? { service: o.service } : {}),
    family: o.family,
    revision: o.revision,
    containers: o.containers.map((c) => ({
      name: c.name,
      containerPort: c.containerPort,
      ...(c.hostPort !== undefined ? { hostPort: c.hostPort } : {}),
      format: c.format,
      prefix: c.prefix,
    })),
    metricKey: o.metricKey ?? slotKey(o.service, o.family, slot),
    slot,
    firstSeen: seen?.firstSeen ?? at,
    lastSeen: seen?.lastSeen ?? at,
    ...(o.version !== undefined ? { version: o.version } : {}),
  };
}

/** An entry updated from a new observation: slot and firstSeen kept, lastSeen only when older than the granularity. */
function refresh(known: InventoryTask, o: ObservedTask, now: Date, granularityMs: number, live: readonly InventoryTask[]): InventoryTask {
  const stale = now.getTime() - Date.parse(known.lastSeen) >= granularityMs;
  const slot = known.slot ?? freeSlot(live.filter((t) => t !== known), o.service || o.family);
  const version = Math.max(known.version ?? -1, o.version ?? -1);
  const merged: ObservedTask = { ...o, version: version < 0 ? undefined : version };
  return entryOf(merged, slot, now, { firstSeen: known.firstSeen, lastSeen: stale ? now.toISOString() : known.lastSeen });
}

/** Same content, compared on a canonical key order (a parsed document keeps whatever order it was stored in). */
function same(a: InventoryTask, b: InventoryTask): boolean {
  const canonical = (t: InventoryTask): string => JSON.stringify(t, Object.keys(t).sort().concat(['name', 'containerPort', 'hostPort', 'format', 'prefix']));
  return canonical(a) === canonical(b);
}

/** Tasks in a stable order for readers of the host page: by service (else family), slot, then ARN. */
function byReadingOrder(a: InventoryTask, b: InventoryTask): number {
  return (a.service || a.family).localeCompare(b.service || b.family) || (a.slot ?? 0) - (b.slot ?? 0) || a.taskArn.localeCompare(b.taskArn);
}

function result(
  base: Inventory,
  tasks: readonly InventoryTask[],
  tombstones: readonly Tombstone[] | undefined,
  changed: boolean,
  now: Date,
  added: readonly string[],
  removed: readonly string[],
  trimmed: number,
): MergeResult {
  if (!changed) return { inventory: base, changed, added, removed };
  const inventory: Inventory = {
    schema: base.schema,
    updatedAt: now.toISOString(),
    tasks: [...tasks].sort(byReadingOrder),
    trimmed,
    ...(tombstones && tombstones.length > 0 ? { tombstones } : {}),
  };
  return { inventory, changed, added, removed };
}
