import { INVENTORY_MAX_BYTES, applyTaskEvent, observeTasks, trimToLimit } from '../../src/inventory/merge';
import type { Inventory } from '../../src/inventory/model';
import { arnOf, at, observed } from './builders';

const bytes = (inv: Inventory): number => Buffer.byteLength(JSON.stringify(inv));

/** `count` tasks, task n first seen (and last seen) at minute n, so task 1 is the oldest. */
function hostWith(count: number): Inventory {
  let inv: Inventory | undefined;
  for (let n = 1; n <= count; n++) inv = observeTasks(inv, [observed(n)], at(n), { complete: false }).inventory;
  if (inv === undefined) throw new Error('no tasks');
  return inv;
}

describe('trimToLimit', () => {
  it('returns a document under the limit as it is', () => {
    // Prepare
    const inv = hostWith(3);

    // Act
    const result = trimToLimit(inv);

    // Assess
    expect(result).toEqual({ inventory: inv, droppedTasks: 0, droppedTombstones: 0 });
  });

  it('drops the tasks seen longest ago to fit under 100 KB and counts them', () => {
    // Prepare: about 415 bytes a task, so 300 tasks is well over 100 KB (about 240 fit).
    const inv = hostWith(300);
    expect(bytes(inv)).toBeGreaterThan(INVENTORY_MAX_BYTES);

    // Act
    const { inventory, droppedTasks } = trimToLimit(inv);

    // Assess
    expect(bytes(inventory)).toBeLessThanOrEqual(100_000);
    expect(droppedTasks).toBeGreaterThan(0);
    expect(inventory.trimmed).toBe(droppedTasks);
    expect(inventory.tasks).toHaveLength(300 - droppedTasks);
    const kept = new Set(inventory.tasks.map((t) => t.taskArn));
    expect(kept.has(arnOf(1))).toBe(false);
    expect(kept.has(arnOf(300))).toBe(true);
    expect(kept.has(arnOf(droppedTasks))).toBe(false);
    expect(kept.has(arnOf(droppedTasks + 1))).toBe(true);
    // The fewest: one task fewer dropped would not fit.
    expect(bytes({ ...inventory, tasks: [...inventory.tasks, ...inv.tasks.slice(0, 1)] })).toBeGreaterThan(100_000);
  });

  it('drops tombstones before any task', () => {
    // Prepare
    let inv = hostWith(12);
    for (let n = 1; n <= 10; n++) inv = applyTaskEvent(inv, { taskArn: arnOf(n), version: 5, lastStatus: 'STOPPED' }, at(100 + n)).inventory;
    const limit = bytes(inv) - 1;

    // Act
    const { inventory, droppedTasks, droppedTombstones } = trimToLimit(inv, limit);

    // Assess
    expect(droppedTasks).toBe(0);
    expect(droppedTombstones).toBe(1);
    expect(inventory.tombstones?.[0]?.taskArn).toBe(arnOf(2));
    expect(inventory.tasks).toHaveLength(2);
  });

  it('starts the count again when a complete snapshot rewrites the document', () => {
    // Prepare
    const trimmed = trimToLimit(hostWith(300)).inventory;

    // Act
    const { inventory, changed } = observeTasks(trimmed, [observed(300)], at(400), { complete: true });

    // Assess
    expect(changed).toBe(true);
    expect(inventory.trimmed).toBe(0);
    expect(inventory.tasks.map((t) => t.taskArn)).toEqual([arnOf(300)]);
  });
});
