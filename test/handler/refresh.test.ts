/**
 * handlers/refresh.ts as Lambda runs it on EventBridge "ECS Task State Change" events from the simulated
 * cluster: a new task is posted at once, a stopped or draining one leaves the inventory, and repeated or stale
 * events change nothing in Mackerel.
 */
import { drainingEvent, duplicateEvent, olderEvent, type SimTask, type Simulation } from '../../sim';
import { collectorEnv, hostIdOf, landed, servedGostats, startStandardSimulation, taskKey, taskOf } from '../e2e/harness';
import { apiSpec, eventOf, inventoryOf, startCollector, startRefreshLambda, writes, type RefreshLambda } from '../e2e/harness5';

/** The stuck target would hold every scheduled cycle for the scrape timeout: keep it short. */
const envOf = (sim: Simulation): Record<string, string> => collectorEnv(sim, { SCRAPE_TIMEOUT_MS: '100' });

/** One scheduled cycle from a container of its own, as the collect function would have run before the event. */
async function scheduledCycle(sim: Simulation): Promise<void> {
  const collector = startCollector(envOf(sim));
  try {
    await collector.cycle();
  } finally {
    collector.close();
  }
}

const listed = (sim: Simulation, hostId: string): string[] => (inventoryOf(sim, hostId)?.tasks ?? []).map((t) => t.taskId);

describe('a task that became RUNNING', () => {
  let sim: Simulation;
  let lambda: RefreshLambda;
  let task: SimTask;
  let listTasksBefore: number;
  let graphDefsBefore: number;
  let result: Awaited<ReturnType<RefreshLambda['invoke']>>;

  beforeAll(async () => {
    sim = await startStandardSimulation();
    await scheduledCycle(sim);
    task = await sim.startTask('prod', apiSpec());
    listTasksBefore = sim.calls()['ecs:ListTasks'] ?? 0;
    graphDefsBefore = sim.receiver.graphDefs().length;
    lambda = startRefreshLambda(envOf(sim));
    result = await lambda.invoke(eventOf(sim, task, 'RUNNING'));
  });
  afterAll(async () => {
    lambda.close();
    await sim.stop();
  });

  it('posts the first sample of the new task on its host at once, without a scheduled cycle', () => {
    // Prepare
    const name = `custom.gostats.${taskKey(task)}.runtime.goroutine_num`;

    // Act
    const values = landed(sim, name);

    // Assess
    expect(result).toMatchObject({ action: 'scraped', targets: 1, failed: 0 });
    expect(result.posted).toBeGreaterThan(0);
    expect(values.map((v) => [v.hostId, v.value])).toEqual([[hostIdOf(sim, task), servedGostats(sim, task, 'goroutine_num', 1)]]);
    expect(sim.calls()['ecs:ListTasks'] ?? 0).toBe(listTasksBefore);
  });

  it('adds the task with its dynamic host port to the host inventory, beside the tasks the cycle recorded', () => {
    // Prepare
    const hostId = hostIdOf(sim, task);

    // Act
    const entry = inventoryOf(sim, hostId)?.tasks.find((t) => t.taskId === task.id);

    // Assess
    expect(entry).toMatchObject({ service: 'api', family: 'api', metricKey: taskKey(task), version: 2 });
    expect(entry?.containers).toEqual([{ name: 'api', containerPort: 8080, hostPort: task.hostPort, format: 'gostats', prefix: 'gostats' }]);
    expect(listed(sim, hostId)).toEqual(expect.arrayContaining([taskOf(sim, 'api', 0).id, taskOf(sim, 'api', 1).id, task.id]));
  });

  it('posts the graph definitions of what it scraped (this container had posted none yet)', () => {
    // Act
    const posted = sim.receiver.graphDefs().slice(graphDefsBefore).map((d) => d.name);

    // Assess
    expect(posted).toEqual(expect.arrayContaining(['custom.gostats.#.runtime', 'custom.gostats.#.memory', 'custom.gostats.#.gc']));
    expect(lambda.summaries().at(-1)).toMatchObject({ action: 'scraped', taskArn: task.arn, version: 2, graphDefs: posted.length });
  });
});

describe('a task that stopped', () => {
  let sim: Simulation;
  let lambda: RefreshLambda;

  beforeAll(async () => {
    sim = await startStandardSimulation();
    await scheduledCycle(sim);
    lambda = startRefreshLambda(envOf(sim));
  });
  afterAll(async () => {
    lambda.close();
    await sim.stop();
  });

  it('leaves the inventory on its STOPPED event, the other api task staying', async () => {
    // Prepare
    const [gone, kept] = [taskOf(sim, 'api', 0), taskOf(sim, 'api', 1)];
    const hostId = hostIdOf(sim, gone);
    expect(listed(sim, hostId)).toContain(gone.id);
    await sim.stopTask(gone.arn);

    // Act
    const result = await lambda.invoke(eventOf(sim, gone, 'STOPPED'));

    // Assess
    expect(result).toMatchObject({ action: 'retired', failed: 0 });
    expect(listed(sim, hostId)).not.toContain(gone.id);
    expect(listed(sim, hostId)).toContain(kept.id);
    expect(inventoryOf(sim, hostId)?.tombstones?.map((t) => [t.taskArn, t.version])).toEqual([[gone.arn, 4]]);
  });

  it('leaves the inventory on a draining event (RUNNING, desired STOPPED), and the STOPPED event after it changes nothing', async () => {
    // Prepare
    const task = taskOf(sim, 'api', 1);
    const hostId = hostIdOf(sim, task);
    expect(listed(sim, hostId)).toContain(task.id);

    // Act
    const draining = await lambda.invoke(drainingEvent(eventOf(sim, task, 'RUNNING')));
    await sim.stopTask(task.arn);
    const before = writes(sim);
    const stopped = await lambda.invoke(eventOf(sim, task, 'STOPPED'));

    // Assess
    expect(draining).toMatchObject({ action: 'retired', failed: 0 });
    expect(stopped).toMatchObject({ action: 'duplicate', failed: 0 });
    expect(listed(sim, hostId)).not.toContain(task.id);
    expect(writes(sim)).toEqual(before);
  });
});

describe('a repeated or stale event', () => {
  let sim: Simulation;
  let lambda: RefreshLambda;
  let task: SimTask;

  beforeAll(async () => {
    sim = await startStandardSimulation();
    task = await sim.startTask('prod', apiSpec());
    lambda = startRefreshLambda(envOf(sim));
    await expect(lambda.invoke(eventOf(sim, task, 'RUNNING'))).resolves.toMatchObject({ action: 'scraped' });
  });
  afterAll(async () => {
    lambda.close();
    await sim.stop();
  });

  it.each([
    ['the same change again with a new event id', { sameId: false, older: false }],
    ['an EventBridge redelivery (same event id)', { sameId: true, older: false }],
    ['an older version of the task', { sameId: false, older: true }],
  ])('is a no-op: %s writes nothing to Mackerel (no metadata, metric or graph definition)', async (_what, how) => {
    // Prepare
    const running = eventOf(sim, task, 'RUNNING');
    const event = how.older ? olderEvent(running) : duplicateEvent(running, { sameId: how.sameId });
    const before = writes(sim);
    const inventory = inventoryOf(sim, hostIdOf(sim, task));

    // Act
    const result = await lambda.invoke(event);

    // Assess
    expect(result).toMatchObject({ action: 'duplicate', posted: 0, failed: 0 });
    expect(lambda.summaries().at(-1)).toMatchObject({ action: 'duplicate', version: event.detail.version, posted: 0 });
    expect(writes(sim)).toEqual(before);
    expect(inventoryOf(sim, hostIdOf(sim, task))).toEqual(inventory);
  });

  it('never brings a stopped task back: late RUNNING events after STOPPED, in this container and after a cold start', async () => {
    // Prepare
    const hostId = hostIdOf(sim, task);
    await sim.stopTask(task.arn);
    const stopped = eventOf(sim, task, 'STOPPED');
    await expect(lambda.invoke(stopped)).resolves.toMatchObject({ action: 'retired' });
    const before = writes(sim);
    const lateRunning = [eventOf(sim, task, 'RUNNING'), olderEvent(stopped, { by: 1, lastStatus: 'RUNNING', desiredStatus: 'RUNNING' })];
    // Another container knows only what Mackerel holds: the tombstone in the inventory.
    const cold = startRefreshLambda(envOf(sim));

    // Act
    const warmResults = [];
    for (const e of lateRunning) warmResults.push(await lambda.invoke(e));
    const coldResult = await cold.invoke(duplicateEvent(lateRunning[0] ?? stopped)).finally(() => cold.close());

    // Assess
    expect(warmResults.map((r) => r.action)).toEqual(['duplicate', 'duplicate']);
    expect(coldResult.action).toBe('duplicate');
    expect(listed(sim, hostId)).not.toContain(task.id);
    expect(writes(sim)).toEqual(before);
  });
});

describe('a STOPPED event that arrives before its RUNNING event', () => {
  let sim: Simulation;
  let lambda: RefreshLambda;
  let task: SimTask;
  let stopped: Awaited<ReturnType<RefreshLambda['invoke']>>;
  let lateRunning: Awaited<ReturnType<RefreshLambda['invoke']>>;

  beforeAll(async () => {
    sim = await startStandardSimulation();
    task = await sim.startTask('prod', apiSpec());
    await sim.stopTask(task.arn);
    lambda = startRefreshLambda(envOf(sim));
    stopped = await lambda.invoke(eventOf(sim, task, 'STOPPED'));
    lateRunning = await lambda.invoke(eventOf(sim, task, 'RUNNING'));
  });
  afterAll(async () => {
    lambda.close();
    await sim.stop();
  });

  it('leaves a tombstone with the stopped version in the host inventory, though the task was never listed', () => {
    // Act
    const inventory = inventoryOf(sim, hostIdOf(sim, task));

    // Assess
    expect(stopped).toMatchObject({ action: 'retired', failed: 0 });
    expect(lambda.summaries().find((s) => s.version === 4)).toMatchObject({ action: 'retired', reason: expect.stringContaining('tombstone') });
    expect(inventory?.tombstones?.map((t) => [t.taskArn, t.version])).toEqual([[task.arn, 4]]);
  });

  it('does not add or scrape the task on the late RUNNING event, in this container or after a cold start', async () => {
    // Prepare
    const before = writes(sim);
    const cold = startRefreshLambda(envOf(sim));

    // Act
    const coldResult = await cold.invoke(duplicateEvent(eventOf(sim, task, 'RUNNING'))).finally(() => cold.close());

    // Assess
    expect(lateRunning).toMatchObject({ action: 'duplicate', posted: 0 });
    expect(coldResult).toMatchObject({ action: 'duplicate', posted: 0 });
    expect(lambda.summaries().at(-1)).toMatchObject({ reason: 'task stopped at version 4: a RUNNING event does not bring it back' });
    expect(listed(sim, hostIdOf(sim, task))).not.toContain(task.id);
    expect(landed(sim, `custom.gostats.${taskKey(task)}.runtime.goroutine_num`)).toEqual([]);
    expect(writes(sim)).toEqual(before);
  });
});

describe('events the collector must not act on', () => {
  let sim: Simulation;

  beforeAll(async () => {
    sim = await startStandardSimulation();
    await scheduledCycle(sim);
  });
  afterAll(() => sim.stop());

  it('keeps a binding with hostPort 70000 out of the inventory and the targets, and says why', async () => {
    // Prepare
    const task = await sim.startTask('prod', apiSpec());
    const event = structuredClone(eventOf(sim, task, 'RUNNING'));
    const containers = event.detail.containers as { name: string; networkBindings?: { hostPort: number }[] }[];
    for (const b of containers.find((c) => c.name === 'api')?.networkBindings ?? []) b.hostPort = 70000;
    const before = writes(sim);
    const lambda = startRefreshLambda(envOf(sim));

    // Act
    const result = await lambda.invoke(event).finally(() => lambda.close());

    // Assess
    expect(result).toMatchObject({ action: 'no-targets', posted: 0 });
    const reasons = (lambda.summaries().at(-1)?.skipped as { reason: string }[]).map((s) => s.reason);
    expect(reasons).toContain('container api: network binding ignored, hostPort 70000 is not a port (an integer in 1..65535)');
    expect(writes(sim)).toEqual(before);
    // The stored document stays readable (a port above 65535 would make every reader refuse it).
    expect(listed(sim, hostIdOf(sim, task))).not.toContain(task.id);
  });

  it('ignores a same-named cluster of another account when ECS_CLUSTERS holds the cluster ARN', async () => {
    // Prepare
    const task = await sim.startTask('prod', apiSpec());
    const other = (text: string): string => text.replaceAll(':111122223333:', ':999988887777:');
    const ours = 'arn:aws:ecs:us-east-1:111122223333:cluster/prod';
    const event = { ...eventOf(sim, task, 'RUNNING'), account: '999988887777' };
    const foreign = { ...event, detail: JSON.parse(other(JSON.stringify(event.detail))) as typeof event.detail };
    const before = writes(sim);
    const lambda = startRefreshLambda(envOf(sim));
    const byArn = startRefreshLambda({ ...envOf(sim), ECS_CLUSTERS: ours });

    // Act
    const refused = await byArn.invoke(foreign).finally(() => byArn.close());
    const refusedSummary = byArn.summaries().at(-1);
    const accepted = await lambda.invoke(eventOf(sim, task, 'RUNNING')).finally(() => lambda.close());

    // Assess
    expect(refused).toMatchObject({ action: 'ignored', targets: 0, posted: 0 });
    expect(refusedSummary).toMatchObject({
      action: 'ignored',
      reason: `cluster arn:aws:ecs:us-east-1:999988887777:cluster/prod (account 999988887777, Region us-east-1) is not ${ours} of ECS_CLUSTERS`,
    });
    expect(accepted).toMatchObject({ action: 'scraped' });
    expect(writes(sim).slice(0, before.length)).toEqual(before);
  });
});
