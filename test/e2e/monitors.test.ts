import type { Simulation } from '../../sim';
import { collectorEnv, E2E_API_KEY, nextSecond, runCli, simulationPerTest } from './harness';

// Issue 9, item 2: `monitors [--dry-run]` and MONITORS=on create the service-metric monitors that alert when the
// collector stops reporting or when too many targets fail. The simulator's receiver validates each monitor.

interface Outcome {
  readonly name: string;
  readonly action: string;
}

const parseOutcomes = (stdout: string): Outcome[] => (JSON.parse(stdout) as { monitors: Outcome[] }).monitors;
const monitorsGets = (sim: Simulation): number => sim.receiver.requests().filter((r) => r.method === 'GET' && r.path === '/api/v0/monitors').length;

describe('the collector\'s own monitors', () => {
  const world = simulationPerTest();

  it('lists what it would create in a dry run, creates both monitors per cluster, and changes nothing the second time', async () => {
    // Prepare
    const sim = world.sim;
    const env = { ...collectorEnv(sim), MACKEREL_SERVICE: 'ecs', MACKEREL_API_KEY: E2E_API_KEY };

    // Act
    const dry = await runCli(['monitors', '--dry-run', '--json'], env);
    const afterDry = sim.receiver.monitors().length;
    const created = await runCli(['monitors', '--json'], env);
    const again = await runCli(['monitors', '--json'], env);

    // Assess
    expect(dry.code).toBe(0);
    expect(parseOutcomes(dry.stdout).map((o) => o.action)).toEqual(['would-create', 'would-create']);
    expect(afterDry).toBe(0);
    expect(created.code).toBe(0);
    expect(parseOutcomes(created.stdout)).toEqual([
      expect.objectContaining({ name: 'ecs-collector: prod stopped reporting', action: 'created' }),
      expect.objectContaining({ name: 'ecs-collector: prod failed ratio', action: 'created' }),
    ]);
    expect(sim.receiver.monitors().map((m) => [m.type, m.service, m.metric]).sort()).toEqual([
      ['service', 'ecs', 'ecs-collector.prod.failed_ratio'],
      ['service', 'ecs', 'ecs-collector.prod.targets'],
    ]);
    expect(parseOutcomes(again.stdout).map((o) => o.action)).toEqual(['unchanged', 'unchanged']);
  });

  it('refuses to run without MACKEREL_SERVICE, naming it (exit 2)', async () => {
    // Prepare
    const sim = world.sim;

    // Act
    const run = await runCli(['monitors'], { ...collectorEnv(sim), MACKEREL_API_KEY: E2E_API_KEY });

    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('MACKEREL_SERVICE');
    expect(sim.receiver.monitors()).toEqual([]);
  });

  it('with MONITORS=on, syncs the monitors in the first cycle and not again within the hour', async () => {
    // Prepare
    const sim = world.sim;
    const collector = world.start(collectorEnv(sim, { MACKEREL_SERVICE: 'ecs', MONITORS: 'on' }));

    // Act
    const first = await collector.cycle();
    await nextSecond();
    const second = await collector.cycle();

    // Assess
    expect(first.monitors?.map((m) => m.action)).toEqual(['created', 'created']);
    expect(second.monitors).toBeUndefined();
    expect(monitorsGets(sim)).toBe(1);
    expect(sim.receiver.monitors()).toHaveLength(2);
  });

  it('is a configuration error to set MONITORS=on without MACKEREL_SERVICE', () => {
    expect(() => world.start(collectorEnv(world.sim, { MONITORS: 'on' }))).toThrow(/MONITORS=on: needs MACKEREL_SERVICE/);
  });
});
