import { applyTaskEvent, assignSlot, observeTasks, TOMBSTONE_LIMIT } from '../../src/inventory/merge';
import { parseInventory, type Inventory } from '../../src/inventory/model';
import { arnOf, at, observed } from './builders';

const keysOf = (inv: Inventory): Record<string, string> => Object.fromEntries(inv.tasks.map((t) => [t.taskId.slice(0, 8), t.metricKey]));
/** A document as a cold start reads it: written as JSON, parsed back. */
function coldStart(inv: Inventory): Inventory {
  const parsed = parseInventory(JSON.parse(JSON.stringify(inv)));
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
}

describe('observeTasks', () => {
  it('records a new task with its ports, slot key and first/last seen', () => {
    // Act
    const { inventory, changed, added } = observeTasks(undefined, [observed(1)], at(0), { complete: true });

    // Assess
    expect(changed).toBe(true);
    expect(added).toEqual([arnOf(1)]);
    expect(inventory).toEqual({
      schema: 1,
      updatedAt: '2026-01-01T00:00:00.000Z',
      trimmed: 0,
      tasks: [
        {
          taskArn: arnOf(1),
          taskId: observed(1).taskId,
          cluster: 'prod',
          service: 'api',
          family: 'api-td',
          revision: 7,
          containers: [{ name: 'app', containerPort: 8080, hostPort: 32769, format: 'gostats', prefix: 'gostats' }],
          metricKey: 'api-1',
          slot: 1,
          firstSeen: '2026-01-01T00:00:00.000Z',
          lastSeen: '2026-01-01T00:00:00.000Z',
        },
      ],
    });
  });

  it('keeps the task or port key the caller computed, and still records a slot', () => {
    // Act
    const { inventory } = observeTasks(undefined, [observed(1, { metricKey: 'api-00000001' })], at(0), { complete: true });

    // Assess
    expect(inventory.tasks[0]).toMatchObject({ metricKey: 'api-00000001', slot: 1 });
  });

  it('writes nothing in a steady state until lastSeen is older than the granularity', () => {
    // Prepare
    const first = observeTasks(undefined, [observed(1), observed(2)], at(0), { complete: true }).inventory;

    // Act
    const minuteLater = observeTasks(first, [observed(2), observed(1)], at(1), { complete: true });
    const tenLater = observeTasks(minuteLater.inventory, [observed(1), observed(2)], at(10), { complete: true });

    // Assess
    expect(minuteLater).toEqual({ inventory: first, changed: false, added: [], removed: [] });
    expect(tenLater.changed).toBe(true);
    expect(tenLater.inventory.tasks.map((t) => [t.firstSeen, t.lastSeen])).toEqual([
      ['2026-01-01T00:00:00.000Z', '2026-01-01T00:10:00.000Z'],
      ['2026-01-01T00:00:00.000Z', '2026-01-01T00:10:00.000Z'],
    ]);
  });

  it('records a changed host port at once', () => {
    // Prepare
    const first = observeTasks(undefined, [observed(1)], at(0), { complete: true }).inventory;
    const moved = observed(1, { containers: [{ name: 'app', containerPort: 8080, hostPort: 40000, format: 'gostats', prefix: 'gostats' }] });

    // Act
    const { inventory, changed } = observeTasks(first, [moved], at(1), { complete: true });

    // Assess
    expect(changed).toBe(true);
    expect(inventory.tasks[0]?.containers[0]?.hostPort).toBe(40000);
    expect(inventory.tasks[0]?.lastSeen).toBe('2026-01-01T00:00:00.000Z');
  });

  it('retires tasks a complete snapshot no longer lists', () => {
    // Prepare
    const first = observeTasks(undefined, [observed(1), observed(2)], at(0), { complete: true }).inventory;

    // Act
    const { inventory, removed } = observeTasks(first, [observed(2)], at(1), { complete: true });

    // Assess
    expect(removed).toEqual([arnOf(1)]);
    expect(inventory.tasks.map((t) => t.taskArn)).toEqual([arnOf(2)]);
  });

  it('retires nothing when the snapshot had issues for the host', () => {
    // Prepare
    const first = observeTasks(undefined, [observed(1), observed(2)], at(0), { complete: true }).inventory;

    // Act
    const result = observeTasks(first, [observed(3)], at(1), { complete: false });

    // Assess
    expect(result.removed).toEqual([]);
    expect(result.added).toEqual([arnOf(3)]);
    expect(keysOf(result.inventory)).toEqual({ '00000001': 'api-1', '00000002': 'api-2', '00000003': 'api-3' });
  });

  it('keeps a task an event added after the snapshot was taken', () => {
    // Prepare
    const fromEvent = applyTaskEvent(undefined, { taskArn: arnOf(1), version: 3, lastStatus: 'RUNNING', task: observed(1) }, at(5)).inventory;

    // Act
    const result = observeTasks(fromEvent, [], at(6), { complete: true, snapshotStartedAt: at(4) });

    // Assess
    expect(result.changed).toBe(false);
    expect(result.inventory.tasks.map((t) => t.taskArn)).toEqual([arnOf(1)]);
  });
});

describe('slots', () => {
  it('gives each live task of a service the smallest free slot and reuses a slot after a stop', () => {
    // Prepare
    const two = observeTasks(undefined, [observed(1), observed(2)], at(0), { complete: true }).inventory;
    const oneLeft = observeTasks(two, [observed(2)], at(1), { complete: true }).inventory;

    // Act
    const replaced = observeTasks(oneLeft, [observed(2), observed(3)], at(2), { complete: true }).inventory;

    // Assess
    expect(assignSlot(oneLeft, 'api')).toBe(1);
    expect(keysOf(replaced)).toEqual({ '00000002': 'api-2', '00000003': 'api-1' });
  });

  it('counts slots per service, with the family for standalone tasks', () => {
    // Act
    const { inventory } = observeTasks(
      undefined,
      [observed(1), observed(2, { service: 'worker' }), observed(3, { service: undefined, family: 'batch' })],
      at(0),
      { complete: true },
    );

    // Assess
    expect(keysOf(inventory)).toEqual({ '00000001': 'api-1', '00000002': 'worker-1', '00000003': 'batch-1' });
  });

  it('reuses the freed slots of a finished rolling deployment', () => {
    // Prepare: old tasks 1, 2; the deployment starts 3, 4 before stopping 1, 2.
    const old = observeTasks(undefined, [observed(1), observed(2)], at(0), { complete: true }).inventory;
    const overlap = observeTasks(old, [1, 2, 3, 4].map((n) => observed(n)), at(1), { complete: true }).inventory;
    const done = observeTasks(overlap, [observed(3), observed(4)], at(2), { complete: true }).inventory;

    // Act: the next deployment
    const next = observeTasks(done, [3, 4, 5, 6].map((n) => observed(n)), at(3), { complete: true }).inventory;

    // Assess
    expect(keysOf(done)).toEqual({ '00000003': 'api-3', '00000004': 'api-4' });
    expect(keysOf(next)).toEqual({ '00000003': 'api-3', '00000004': 'api-4', '00000005': 'api-1', '00000006': 'api-2' });
  });

  it('gives distinct keys to two services whose names sanitise alike on one host', () => {
    // Prepare: "web.api" and "web_api" both sanitise to the key node "web_api".
    const dotted = observed(1, { service: 'web.api' });
    const underscored = observed(2, { service: 'web_api' });

    // Act
    const viaCycle = observeTasks(undefined, [dotted, underscored], at(0), { complete: true }).inventory;
    const first = applyTaskEvent(undefined, { taskArn: arnOf(1), version: 1, lastStatus: 'RUNNING', task: dotted }, at(0)).inventory;
    const viaEvents = applyTaskEvent(first, { taskArn: arnOf(2), version: 1, lastStatus: 'RUNNING', task: underscored }, at(1)).inventory;

    // Assess
    expect(keysOf(viaCycle)).toEqual({ '00000001': 'web_api-1', '00000002': 'web_api-2' });
    expect(keysOf(viaEvents)).toEqual({ '00000001': 'web_api-1', '00000002': 'web_api-2' });
  });

  it('gives distinct keys to two long service names that are cut to the same key', () => {
    // Prepare: 48-character keys keep 46 characters of the name; these two differ only after that.
    const base = 'x'.repeat(50);

    // Act
    const { inventory } = observeTasks(undefined, [observed(1, { service: `${base}-a` }), observed(2, { service: `${base}-b` })], at(0), { complete: true });

    // Assess
    expect(new Set(inventory.tasks.map((t) => t.metricKey)).size).toBe(2);
    expect(inventory.tasks.map((t) => t.slot)).toEqual([1, 2]);
  });

  it('keeps slot keys across a cold start and continues from the stored document', () => {
    // Prepare
    const warm = observeTasks(undefined, [observed(1), observed(2), observed(3)], at(0), { complete: true }).inventory;
    const afterStop = observeTasks(warm, [observed(1), observed(3)], at(1), { complete: true }).inventory;

    // Act
    const steady = observeTasks(coldStart(afterStop), [observed(1), observed(3)], at(2), { complete: true });
    const cold = observeTasks(coldStart(afterStop), [observed(1), observed(3), observed(4)], at(2), { complete: true });

    // Assess
    expect(steady.changed).toBe(false);
    expect(cold.added).toEqual([arnOf(4)]);
    expect(keysOf(cold.inventory)).toEqual({ '00000001': 'api-1', '00000003': 'api-3', '00000004': 'api-2' });
  });
});

describe('applyTaskEvent', () => {
  const running = (n: number, version: number) => ({ taskArn: arnOf(n), version, lastStatus: 'RUNNING' as const, task: observed(n) });
  const stopped = (n: number, version: number) => ({ taskArn: arnOf(n), version, lastStatus: 'STOPPED' as const });

  it('adds a RUNNING task with its version and removes it on STOPPED', () => {
    // Act
    const added = applyTaskEvent(undefined, running(1, 3), at(0));
    const removed = applyTaskEvent(added.inventory, stopped(1, 5), at(1));

    // Assess
    expect(added.inventory.tasks[0]).toMatchObject({ taskArn: arnOf(1), version: 3, slot: 1, metricKey: 'api-1' });
    expect(removed).toMatchObject({ changed: true, removed: [arnOf(1)] });
    expect(removed.inventory.tasks).toEqual([]);
    expect(removed.inventory.tombstones).toEqual([{ taskArn: arnOf(1), version: 5, stoppedAt: '2026-01-01T00:01:00.000Z' }]);
  });

  it('changes nothing on a repeated or older event', () => {
    // Prepare
    const inv = applyTaskEvent(undefined, running(1, 4), at(0)).inventory;

    // Act
    const results = [applyTaskEvent(inv, running(1, 4), at(1)), applyTaskEvent(inv, running(1, 3), at(1)), applyTaskEvent(inv, stopped(1, 4), at(1))];

    // Assess
    for (const r of results) expect(r).toEqual({ inventory: inv, changed: false, added: [], removed: [] });
  });

  it('tombstones a STOPPED event for a task it never recorded, without touching the listed tasks', () => {
    // Prepare
    const inv = applyTaskEvent(undefined, running(1, 3), at(0)).inventory;

    // Act
    const result = applyTaskEvent(inv, stopped(9, 5), at(1));

    // Assess
    expect(result).toMatchObject({ changed: true, added: [], removed: [] });
    expect(result.inventory.tasks).toEqual(inv.tasks);
    expect(result.inventory.tombstones).toEqual([{ taskArn: arnOf(9), version: 5, stoppedAt: '2026-01-01T00:01:00.000Z' }]);
  });

  it('never adds a task whose STOPPED event came before its RUNNING one, even after a cold start', () => {
    // Prepare
    const down = coldStart(applyTaskEvent(undefined, stopped(1, 5), at(0)).inventory);

    // Act
    const late = [running(1, 3), running(1, 5), running(1, 6)].map((e) => applyTaskEvent(down, e, at(1)));
    const snapshot = observeTasks(down, [observed(1)], at(1), { complete: true });

    // Assess
    for (const r of late) expect(r).toEqual({ inventory: down, changed: false, added: [], removed: [] });
    expect(snapshot.inventory.tasks).toEqual([]);
  });

  it('writes nothing for a second stop of a tombstoned task (draining, then STOPPED)', () => {
    // Prepare
    const down = applyTaskEvent(undefined, stopped(1, 4), at(0)).inventory;

    // Act
    const again = applyTaskEvent(down, stopped(1, 5), at(1));

    // Assess
    expect(again).toEqual({ inventory: down, changed: false, added: [], removed: [] });
  });

  it('does not bring back a stopped task on a late RUNNING event, nor on a snapshot taken before the stop', () => {
    // Prepare
    const up = applyTaskEvent(undefined, running(1, 3), at(0)).inventory;
    const down = coldStart(applyTaskEvent(up, stopped(1, 5), at(1)).inventory);

    // Act
    const late = applyTaskEvent(down, running(1, 4), at(2));
    const stale = observeTasks(down, [observed(1)], at(2), { complete: true });

    // Assess
    expect(late.changed).toBe(false);
    expect(stale.added).toEqual([]);
    expect(stale.inventory.tasks).toEqual([]);
  });

  it('records a newer RUNNING event without task details as the task version', () => {
    // Prepare
    const inv = observeTasks(undefined, [observed(1)], at(0), { complete: true }).inventory;

    // Act
    const bumped = applyTaskEvent(inv, { taskArn: arnOf(1), version: 4, lastStatus: 'RUNNING' }, at(1));
    const older = applyTaskEvent(bumped.inventory, { taskArn: arnOf(1), version: 3, lastStatus: 'RUNNING' }, at(2));

    // Assess
    expect(bumped.inventory.tasks[0]).toMatchObject({ version: 4, slot: 1, firstSeen: '2026-01-01T00:00:00.000Z' });
    expect(older.changed).toBe(false);
  });

  it(`keeps only the last ${TOMBSTONE_LIMIT} tombstones, whether or not the stopped tasks were listed`, () => {
    // Prepare
    let inv: Inventory | undefined;

    // Act
    for (let n = 1; n <= TOMBSTONE_LIMIT + 5; n++) inv = applyTaskEvent(inv, stopped(n, 5), at(n)).inventory;

    // Assess
    expect(inv?.tombstones).toHaveLength(TOMBSTONE_LIMIT);
    expect(inv?.tombstones?.[0]?.taskArn).toBe(arnOf(6));
  });

  it(`keeps only the last ${TOMBSTONE_LIMIT} tombstones`, () => {
    // Prepare
    let inv: Inventory | undefined;
    for (let n = 1; n <= TOMBSTONE_LIMIT + 5; n++) inv = applyTaskEvent(inv, running(n, 3), at(n)).inventory;

    // Act
    for (let n = 1; n <= TOMBSTONE_LIMIT + 5; n++) inv = applyTaskEvent(inv, stopped(n, 5), at(100 + n)).inventory;

    // Assess
    expect(inv?.tombstones).toHaveLength(TOMBSTONE_LIMIT);
    expect(inv?.tombstones?.[0]?.taskArn).toBe(arnOf(6));
  });
});
