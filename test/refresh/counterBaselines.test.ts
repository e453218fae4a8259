/**
 * The refresh path against the simulator, with the warm container's state in view: a STOPPED event forgets the
 * stopped task's counter baselines (keys under `<cluster>/<taskId>/`), and only those. Without it a container
 * would keep one baseline per counter of every task it ever scraped until the idle prune an hour later.
 */
import type { SimTask, Simulation } from '../../sim';
import { loadConfig, type Config } from '../../src/config/config';
import type { CollectorDeps } from '../../src/pipeline/collect';
import { createMackerelClient } from '../../src/mackerel/client';
import { createHostResolver } from '../../src/mackerel/hostResolver';
import { refresh } from '../../src/pipeline/refresh';
import { closeCollectorDeps, getCollectorDeps } from '../../src/runtime';
import { collectorEnv, E2E_API_KEY, setProcessEnv, startStandardSimulation } from '../e2e/harness';
import { apiSpec, eventOf } from '../e2e/harness5';
import { memoryLogger } from '../pipeline/fakes';

describe('counter baselines of a task stopped by an event', () => {
  let sim: Simulation;
  let restoreEnv: () => void;
  let config: Config;
  let deps: CollectorDeps;

  beforeAll(async () => {
    sim = await startStandardSimulation();
    restoreEnv = setProcessEnv(collectorEnv(sim, { SCRAPE_TIMEOUT_MS: '100' }));
    const loaded = loadConfig(process.env);
    if (!loaded.ok) throw loaded.error;
    config = loaded.value;
    deps = getCollectorDeps(config, E2E_API_KEY, memoryLogger());
  });
  afterAll(async () => {
    closeCollectorDeps();
    restoreEnv();
    await sim.stop();
  });

  const scrapeOnEvent = async (task: SimTask): Promise<void> => {
    await expect(refresh(config, deps, eventOf(sim, task, 'RUNNING'))).resolves.toMatchObject({ action: 'scraped' });
  };

  it("drops the stopped task's baselines and keeps those of the task still running", async () => {
    // Prepare: two new gostats tasks scraped once each, so each left its per-minute diff baselines.
    const [gone, kept] = [await sim.startTask('prod', apiSpec()), await sim.startTask('prod', apiSpec())];
    const empty = deps.state.counters.size;
    await scrapeOnEvent(gone);
    const ofGone = deps.state.counters.size - empty;
    await scrapeOnEvent(kept);
    const ofBoth = deps.state.counters.size - empty;
    await sim.stopTask(gone.arn);

    // Act
    const result = await refresh(config, deps, eventOf(sim, gone, 'STOPPED'));

    // Assess
    expect(result.action).toBe('retired');
    expect(ofGone).toBeGreaterThan(0);
    expect(ofBoth).toBe(2 * ofGone);
    expect(deps.state.counters.size - empty).toBe(ofBoth - ofGone);
  });

  it('reports a new task whose host lookup failed for a reason that may pass, instead of dropping it unseen', async () => {
    // Prepare
    const task = await sim.startTask('prod', apiSpec());
    sim.receiver.failNext('/api/v0/hosts', 503, 20);
    // A cold host cache: the warm one above already knows the instance.
    const hosts = createHostResolver(createMackerelClient({ apiKey: E2E_API_KEY, baseUrl: sim.receiver.url, maxAttempts: 1 }));

    // Act
    const result = await refresh(config, { ...deps, hosts }, eventOf(sim, task, 'RUNNING'));

    // Assess
    sim.receiver.reset();
    expect(result.scraped).toBe(0);
    expect(result.failed).toEqual(expect.arrayContaining([expect.objectContaining({ reason: expect.stringMatching(/host lookup failed: .*503.*left to the scheduled cycle$/) })]));
  });
});
