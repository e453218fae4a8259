/**
 * METRIC_KEY=slot end to end: keys `<service>-<n>` recorded in the host inventory, read back after a cold
 * start, the freed slot reused by the next task, and a bounded number of metric names on a host across
 * deployments where METRIC_KEY=task keeps adding names.
 */
import { duplicateEvent, type SimTask, type Simulation } from '../../sim';
import { collectorEnv, hostIdOf, landed, servedGostats, taskOf } from './harness';
import {
  apiSpec,
  eventOf,
  inventoryKeys,
  namesOnHost,
  startCollector,
  startRefreshLambda,
  startSmallSimulation,
  type Collector,
  type RefreshLambda,
} from './harness5';

const slotEnv = (sim: Simulation): Record<string, string> => collectorEnv(sim, { METRIC_KEY: 'slot' });
const goroutines = (key: string): string => `custom.gostats.${key}.runtime.goroutine_num`;

describe('METRIC_KEY=slot', () => {
  let sim: Simulation;
  let collectors: Collector[];
  let api: SimTask[];
  let hostId: string;
  let keysAfterFirst: Record<string, string>;

  beforeAll(async () => {
    sim = await startSmallSimulation();
    api = [taskOf(sim, 'api', 0), taskOf(sim, 'api', 1)];
    hostId = hostIdOf(sim, taskOf(sim, 'api'));
    collectors = [startCollector(slotEnv(sim))];
    await collectors[0]?.cycle();
    keysAfterFirst = inventoryKeys(sim, hostId);
  });
  afterAll(async () => {
    for (const c of collectors) c.close();
    await sim.stop();
  });

  it('names the two api tasks of the host api-1 and api-2, recorded in its inventory', () => {
    // Prepare
    const keyOf = (t: SimTask): string => keysAfterFirst[t.id] ?? 'none';

    // Act
    const values = api.map((t) => landed(sim, goroutines(keyOf(t))));

    // Assess
    expect(Object.values(keysAfterFirst).sort()).toEqual(['api-1', 'api-2']);
    expect(values.map((vs) => vs.map((v) => [v.hostId, v.value]))).toEqual(api.map((t) => [[hostId, servedGostats(sim, t, 'goroutine_num', 1)]]));
    expect([...namesOnHost(sim, hostId)].filter((n) => n.startsWith('custom.gostats.api-')).every((n) => /^custom\.gostats\.api-[12]\./.test(n))).toBe(true);
  });

  it('keeps the same keys after a cold start, read back from the inventory', async () => {
    // Prepare
    collectors[0]?.close();
    const cold = startCollector(slotEnv(sim));
    collectors.push(cold);

    // Act
    const summary = await cold.cycle();

    // Assess
    expect(summary.inventoriesWritten).toBe(0);
    expect(inventoryKeys(sim, hostId)).toEqual(keysAfterFirst);
    for (const t of api) {
      expect(landed(sim, goroutines(keysAfterFirst[t.id] ?? 'none')).map((v) => v.value)).toEqual([
        servedGostats(sim, t, 'goroutine_num', 1),
        servedGostats(sim, t, 'goroutine_num', 2),
      ]);
    }
  });

  it('gives the slot of a stopped task to the next api task, the other keeping its own', async () => {
    // Prepare
    const collector = collectors.at(-1);
    const holder = api.find((t) => keysAfterFirst[t.id] === 'api-1');
    const other = api.find((t) => t !== holder);
    if (!collector || !holder || !other) throw new Error('setup: no collector or no api-1 task');
    await sim.stopTask(holder.arn);
    const next = await sim.startTask('prod', apiSpec());

    // Act
    await collector.cycle();

    // Assess
    expect(inventoryKeys(sim, hostId)).toEqual({ [other.id]: keysAfterFirst[other.id], [next.id]: 'api-1' });
    expect(landed(sim, goroutines('api-1')).at(-1)?.value).toBe(servedGostats(sim, next, 'goroutine_num', 1));
  });
});

/** The api tasks' names on a host, grouped by their key node. */
function byApiKey(names: ReadonlySet<string>): Map<string, number> {
  const out = new Map<string, number>();
  for (const n of names) {
    const key = n.startsWith('custom.gostats.api-') ? n.split('.')[2] : undefined;
    if (key !== undefined) out.set(key, (out.get(key) ?? 0) + 1);
  }
  return out;
}

/** After each deployment: api key nodes and distinct metric names on the host; names per key at the end. */
interface Deployments {
  readonly keys: number[];
  readonly names: number[];
  readonly keyNames: string[];
  readonly perKey: { readonly min: number; readonly max: number };
}

/**
 * Rolling deployments of the api service on its host, as ECS runs them with maximumPercent 200: start the
 * new tasks, one cycle with old and new running, stop the old ones, one cycle. Returns, after each
 * deployment, the api key nodes and the count of distinct metric names on the host.
 */
async function deploy(mode: 'slot' | 'task', deployments: number): Promise<Deployments> {
  const sim = await startSmallSimulation();
  const collector = startCollector(collectorEnv(sim, { METRIC_KEY: mode }));
  try {
    const hostId = hostIdOf(sim, taskOf(sim, 'api'));
    let live = [taskOf(sim, 'api', 0), taskOf(sim, 'api', 1)];
    await collector.cycle();
    const keys: number[] = [];
    const names: number[] = [];
    for (let d = 0; d < deployments; d++) {
      const fresh = [await sim.startTask('prod', apiSpec()), await sim.startTask('prod', apiSpec())];
      await collector.cycle();
      for (const t of live) await sim.stopTask(t.arn);
      await collector.cycle();
      live = fresh;
      const onHost = namesOnHost(sim, hostId);
      keys.push(byApiKey(onHost).size);
      names.push(onHost.size);
    }
    const perKey = [...byApiKey(namesOnHost(sim, hostId)).values()];
    return { keys, names, keyNames: [...byApiKey(namesOnHost(sim, hostId)).keys()].sort(), perKey: { min: Math.min(...perKey), max: Math.max(...perKey) } };
  } finally {
    collector.close();
    await sim.stop();
  }
}

describe('metric names on a host across 5 deployments of a 2-task service', () => {
  it('stay bounded with METRIC_KEY=slot (4 keys: 2 tasks plus 2 during each rollout) while METRIC_KEY=task adds 2 keys per deployment', async () => {
    // Act
    const slot = await deploy('slot', 5);
    const task = await deploy('task', 5);

    // Assess
    expect(slot.keyNames).toEqual(['api-1', 'api-2', 'api-3', 'api-4']);
    expect(slot.keys).toEqual([4, 4, 4, 4, 4]);
    expect(task.keys).toEqual([4, 6, 8, 10, 12]);
    // Per key: the gostats gauges from the first scrape, the per-minute diffs once a task was scraped in two
    // different seconds (cycles here are milliseconds apart, so not every task gets them).
    const perKey = Math.max(slot.perKey.max, task.perKey.max);
    expect(slot.names.every((n) => n <= 4 * perKey)).toBe(true);
    for (let d = 1; d < task.names.length; d++) expect(task.names[d]).toBeGreaterThan(task.names[d - 1] ?? Infinity);
    expect(task.names.at(-1)).toBeGreaterThanOrEqual(12 * task.perKey.min);
    expect(12 * task.perKey.min).toBeGreaterThan(4 * perKey);
    expect(task.keyNames).toHaveLength(12);
    expect(task.keyNames.every((k) => /^api-[0-9a-f]{8}$/.test(k))).toBe(true);
  });
});

// The refresh and the scheduled functions run in different containers, each with its own warm cache. Before
// writing, each re-reads the document from Mackerel and merges on that copy (mergeAndWrite in
// src/pipeline/inventorySync.ts), so neither overwrites the other's slots or tombstones.
describe('METRIC_KEY=slot with the refresh function and the scheduled function in separate containers', () => {
  let sim: Simulation;
  let collector: Collector;
  let lambda: RefreshLambda;
  let hostId: string;
  let holder: SimTask;
  let fromRefresh: Record<string, string>;
  let firstKey: string | undefined;

  beforeAll(async () => {
    sim = await startSmallSimulation();
    hostId = hostIdOf(sim, taskOf(sim, 'api'));
    collector = startCollector(slotEnv(sim));
    await collector.cycle();
    lambda = startRefreshLambda(slotEnv(sim));
    const before = inventoryKeys(sim, hostId);
    const found = sim.tasks().find((t) => before[t.id] === 'api-1');
    if (!found) throw new Error('setup: no task holds api-1');
    holder = found;
    await sim.stopTask(holder.arn);
    const started = [await sim.startTask('prod', apiSpec()), await sim.startTask('prod', apiSpec())];
    // Events in the order opposite to the ARNs' (the cycle's order), so the slots depend on who assigns them.
    const [first, second] = [...started].sort((a, b) => b.arn.localeCompare(a.arn));
    if (!first || !second) throw new Error('setup: two tasks expected');
    await lambda.invoke(eventOf(sim, holder, 'STOPPED'));
    await lambda.invoke(eventOf(sim, first, 'RUNNING'));
    await lambda.invoke(eventOf(sim, second, 'RUNNING'));
    fromRefresh = inventoryKeys(sim, hostId);
    firstKey = fromRefresh[first.id];
    await collector.cycle();
  });
  afterAll(async () => {
    lambda.close();
    collector.close();
    await sim.stop();
  });

  it('keeps in the next scheduled cycle the slot keys the refresh function gave', () => {
    expect(firstKey).toBe('api-1');
    expect(inventoryKeys(sim, hostId)).toEqual(fromRefresh);
  });

  it('keeps the tombstone, so a late RUNNING event in a cold refresh container does not bring the task back', async () => {
    // Prepare
    const cold = startRefreshLambda(slotEnv(sim));

    // Act
    const result = await cold.invoke(duplicateEvent(eventOf(sim, holder, 'RUNNING'))).finally(() => cold.close());

    // Assess
    expect(result.action).toBe('duplicate');
    expect(Object.keys(inventoryKeys(sim, hostId))).not.toContain(holder.id);
  });
});
