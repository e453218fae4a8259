/**
 * The `ecs-tasks` inventory as the scheduled cycle keeps it, without any ECS event: what runs on each host,
 * with ports and metric keys, and tasks that stopped removed by the next cycle.
 */
import type { Simulation } from '../../sim';
import { collectorEnv, hostIdOf, taskKey, taskOf } from './harness';
import { inventoryOf, startCollector, startSmallSimulation, type Collector } from './harness5';

const listed = (sim: Simulation, hostId: string): string[] => (inventoryOf(sim, hostId)?.tasks ?? []).map((t) => t.taskId).sort();

describe('the scheduled cycle', () => {
  let sim: Simulation;
  let collector: Collector;

  beforeEach(async () => {
    sim = await startSmallSimulation();
    collector = startCollector(collectorEnv(sim));
  });
  afterEach(async () => {
    collector.close();
    await sim.stop();
  });

  it('writes each host the tasks running on it, with their host ports and metric keys', async () => {
    // Prepare
    const [api0, api1, worker] = [taskOf(sim, 'api', 0), taskOf(sim, 'api', 1), taskOf(sim, 'worker')];

    // Act
    const summary = await collector.cycle();

    // Assess
    expect(summary.inventoriesWritten).toBe(2);
    const apiHost = inventoryOf(sim, hostIdOf(sim, api0));
    expect(apiHost?.tasks.map((t) => [t.taskId, t.metricKey, t.containers.map((c) => c.hostPort)]).sort()).toEqual(
      [
        [api0.id, taskKey(api0), [api0.hostPort]],
        [api1.id, taskKey(api1), [api1.hostPort]],
      ].sort(),
    );
    expect(inventoryOf(sim, hostIdOf(sim, worker))?.tasks).toEqual([
      expect.objectContaining({ taskId: worker.id, service: 'worker', containers: [expect.objectContaining({ format: 'plugin', prefix: 'worker' })] }),
    ]);
  });

  it('writes nothing in the next cycle when nothing changed', async () => {
    // Prepare
    await collector.cycle();
    const puts = () => sim.receiver.requests().filter((r) => r.method === 'PUT').length;
    const before = puts();

    // Act
    const summary = await collector.cycle();

    // Assess
    expect(summary.inventoriesWritten).toBe(0);
    expect(puts()).toBe(before);
  });

  it('retires a task that stopped without an event in the next cycle', async () => {
    // Prepare
    const [gone, kept] = [taskOf(sim, 'api', 0), taskOf(sim, 'api', 1)];
    const hostId = hostIdOf(sim, gone);
    await collector.cycle();
    expect(listed(sim, hostId)).toEqual([gone.id, kept.id].sort());
    await sim.stopTask(gone.arn);

    // Act
    const summary = await collector.cycle();

    // Assess
    expect(summary.inventoriesWritten).toBe(1);
    expect(listed(sim, hostId)).toEqual([kept.id]);
  });

  // syncInventories revisits every host this container knows, not only hosts with a target this cycle.
  it('retires the last task of a host once it stopped, although the host has nothing left to scrape', async () => {
    // Prepare
    const worker = taskOf(sim, 'worker');
    const hostId = hostIdOf(sim, worker);
    await collector.cycle();
    expect(listed(sim, hostId)).toEqual([worker.id]);
    await sim.stopTask(worker.arn);

    // Act
    await collector.cycle();

    // Assess
    expect(listed(sim, hostId)).toEqual([]);
  });
});
