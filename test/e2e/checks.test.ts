import type { Simulation, SimTask } from '../../sim';
import { collectorEnv, hostIdOf, nextSecond, simulationPerTest } from './harness';

// Issue 9, item 1: one Mackerel check per host with targets, reported each cycle through the real client to the
// simulator's receiver, which validates every report and applies Mackerel's alert rule.

const reportsFor = (sim: Simulation, hostId: string) => sim.receiver.checkReports().filter((r) => r.source.hostId === hostId);
const running = (sim: Simulation, family: string): SimTask => {
  const t = sim.tasks().find((x) => x.family === family && x.lastStatus === 'RUNNING');
  if (!t) throw new Error(`no running ${family} task`);
  return t;
};

/** Stops every running task on the instance of Mackerel host `hostId`. */
async function stopAllOn(sim: Simulation, hostId: string): Promise<void> {
  const instanceId = sim.instances().find((i) => sim.receiver.hostByInstance(i.instanceId)?.id === hostId)?.instanceId;
  for (const t of sim.tasks().filter((x) => x.lastStatus === 'RUNNING' && x.instanceId === instanceId)) await sim.stopTask(t.arn);
}

describe('Mackerel check reports per host', () => {
  const world = simulationPerTest();

  it('reports OK for a host whose targets all scraped, and CRITICAL naming each failing target with its stage/kind', async () => {
    // Prepare
    const sim = world.sim;
    const collector = world.start(collectorEnv(sim));
    const broken = running(sim, 'legacy');
    const healthyHost = hostIdOf(sim, running(sim, 'queue'));
    const brokenHost = hostIdOf(sim, broken);

    // Act
    const summary = await collector.cycle();

    // Assess
    const [ok] = reportsFor(sim, healthyHost);
    expect(ok).toMatchObject({ name: 'ecs-tasks', status: 'OK', maxCheckAttempts: 3, message: expect.stringMatching(/^\d+ targets scraped$/) });
    const [bad] = reportsFor(sim, brokenHost);
    expect(bad?.status).toBe('CRITICAL');
    expect(bad?.message).toContain(`legacy/${broken.id.slice(0, 8)}`);
    expect(bad?.message).toContain('scrape/refused');
    expect(summary.checks).toEqual({ reported: 2, failing: 1 });
  });

  it('opens the alert only at the third failing cycle (CHECK_ATTEMPTS) and sends a final OK once the host has no targets left', async () => {
    // Prepare
    const sim = world.sim;
    const collector = world.start(collectorEnv(sim));
    const brokenHost = hostIdOf(sim, running(sim, 'legacy'));

    // Act
    const alerts: boolean[] = [];
    for (let i = 0; i < 3; i++) {
      await collector.cycle();
      alerts.push(sim.receiver.checkAlert(brokenHost, 'ecs-tasks')?.open ?? false);
      await nextSecond();
    }
    await stopAllOn(sim, brokenHost);
    await collector.cycle();
    await nextSecond();
    await collector.cycle();

    // Assess
    expect(alerts).toEqual([false, false, true]);
    const reports = reportsFor(sim, brokenHost);
    expect(reports.map((r) => r.status)).toEqual(['CRITICAL', 'CRITICAL', 'CRITICAL', 'OK']);
    expect(reports.at(-1)?.message).toBe('no targets left on this host');
    expect(sim.receiver.checkAlert(brokenHost, 'ecs-tasks')).toMatchObject({ open: false, status: 'OK' });
  });

  it('keeps a host\'s last status, without a final OK, when a cluster\'s listing failed and its tasks went unseen', async () => {
    // Prepare
    const sim = world.sim;
    const collector = world.start(collectorEnv(sim));
    const brokenHost = hostIdOf(sim, running(sim, 'legacy'));
    await collector.cycle();
    await nextSecond();
    sim.ecs.failNext('ListTasks', 'ServerException', { times: 10 });

    // Act
    const summary = await collector.cycle();

    // Assess
    expect(summary.discoveryFailed).toEqual(['prod']);
    expect(reportsFor(sim, brokenHost).map((r) => r.status)).toEqual(['CRITICAL']);
    expect(collector.deps.state.checks.get(brokenHost)).toBe('CRITICAL');
  });

  it('uses CHECK_NAME and CHECK_FAILURE_STATUS, and reports nothing with CHECKS=off', async () => {
    // Prepare
    const sim = world.sim;
    const named = world.start(collectorEnv(sim, { CHECK_NAME: 'ecs-scrape', CHECK_FAILURE_STATUS: 'WARNING', CHECK_ATTEMPTS: '5' }));
    const brokenHost = hostIdOf(sim, running(sim, 'legacy'));

    // Act
    await named.cycle();
    named.close();
    const before = sim.receiver.checkReports().length;
    const collector = world.start(collectorEnv(sim, { CHECKS: 'off' }));
    const off = await collector.cycle();

    // Assess
    expect(reportsFor(sim, brokenHost)).toEqual([expect.objectContaining({ name: 'ecs-scrape', status: 'WARNING', maxCheckAttempts: 5 })]);
    expect(sim.receiver.checkReports()).toHaveLength(before);
    expect(off.checks).toBeUndefined();
  });

  it('posts no report in a dry run and shows the reports it would send', async () => {
    // Prepare
    const sim = world.sim;
    const collector = world.start(collectorEnv(sim, { DRY_RUN: 'true' }));

    // Act
    const summary = await collector.cycle();

    // Assess
    expect(sim.receiver.checkReports()).toEqual([]);
    expect(summary.wouldPost?.checkReports.length).toBeGreaterThan(0);
    expect(summary.wouldPost?.checkReports.some((r) => r.status === 'CRITICAL')).toBe(true);
  });

  it('lists a refused report batch as a check failure and sends the final OK again next cycle', async () => {
    // Prepare
    const sim = world.sim;
    const collector = world.start(collectorEnv(sim));
    const brokenHost = hostIdOf(sim, running(sim, 'legacy'));
    await collector.cycle();
    await nextSecond();
    await stopAllOn(sim, brokenHost);
    sim.receiver.failNext('/api/v0/monitoring/checks/report', 503, 5);

    // Act
    const failedCycle = await collector.cycle();
    await nextSecond();
    await collector.cycle();

    // Assess
    expect(failedCycle.failed.filter((f) => f.stage === 'check')).toEqual([expect.objectContaining({ target: 'check ecs-tasks', kind: '5xx' })]);
    expect(reportsFor(sim, brokenHost).map((r) => r.status)).toEqual(['CRITICAL', 'OK']);
  });
});
