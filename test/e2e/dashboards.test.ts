/**
 * Dashboards per ECS service end to end: `mackerel-ecs-collector dashboards [--dry-run] --json` as a child
 * process, and DASHBOARDS=hourly in the scheduled cycle, against the receiver's dashboards API (no upsert,
 * urlPath unique).
 */
import type { Simulation } from '../../sim';
import type { DashboardOutcome } from '../../src/dashboards/sync';
import { collectorEnv, runCli, startStandardSimulation, type CliRun } from './harness';
import { startCollector, writes } from './harness5';

/** The ECS services of the standard scenario whose tasks produced metrics (edge: Fargate, via MACKEREL_SERVICE). */
const URL_PATHS = ['ecs/prod/api', 'ecs/prod/edge', 'ecs/prod/family-batch', 'ecs/prod/queue', 'ecs/prod/web', 'ecs/prod/worker'];

const envOf = (sim: Simulation, extra: Record<string, string> = {}): Record<string, string> =>
  collectorEnv(sim, { MACKEREL_SERVICE: 'ecs', METRIC_KEY: 'slot', SCRAPE_TIMEOUT_MS: '100', ...extra });

function outcomesOf(run: CliRun): DashboardOutcome[] {
  expect(run.code).toBe(0);
  return (JSON.parse(run.stdout) as { dashboards: DashboardOutcome[] }).dashboards;
}

describe('the dashboards command', () => {
  let sim: Simulation;

  beforeAll(async () => {
    sim = await startStandardSimulation();
  });
  afterAll(() => sim.stop());

  it('with --dry-run says what it would create and writes nothing', async () => {
    // Act
    const outcomes = outcomesOf(await runCli(['dashboards', '--dry-run', '--json'], envOf(sim)));

    // Assess
    expect(outcomes).toEqual(URL_PATHS.map((urlPath) => ({ urlPath, action: 'would-create' })));
    expect(sim.receiver.dashboards()).toEqual([]);
    expect(writes(sim)).toEqual([]);
  });

  it('run twice leaves exactly one dashboard per ECS service, with the same ids, and posts no metrics', async () => {
    // Act
    const first = outcomesOf(await runCli(['dashboards', '--json'], envOf(sim)));
    const second = outcomesOf(await runCli(['dashboards', '--json'], envOf(sim)));

    // Assess
    expect(first.map((o) => [o.urlPath, o.action])).toEqual(URL_PATHS.map((p) => [p, 'created']));
    expect(second).toEqual(first.map((o) => ({ ...o, action: 'unchanged' })));
    const stored = sim.receiver.dashboards();
    expect(stored.map((d) => d.urlPath).sort()).toEqual(URL_PATHS);
    expect(stored.map((d) => d.id).sort()).toEqual(first.map((o) => o.id).sort());
    expect(writes(sim).filter((w) => !w.startsWith('POST /api/v0/dashboards'))).toEqual([]);
  });

  it('leaves them unchanged when the scheduled function syncs next (a warm container agrees with the CLI)', async () => {
    // Prepare
    const ids = sim.receiver.dashboards().map((d) => d.id).sort();
    const collector = startCollector(envOf(sim, { DASHBOARDS: 'hourly' }));

    // Act
    const summary = await collector.cycle().finally(() => collector.close());

    // Assess
    expect(summary.dashboards?.map((d) => [d.urlPath, d.action])).toEqual(URL_PATHS.map((p) => [p, 'unchanged']));
    expect(sim.receiver.dashboards().map((d) => d.id).sort()).toEqual(ids);
  });
});

describe('DASHBOARDS=hourly in the scheduled cycle', () => {
  let sim: Simulation;

  beforeAll(async () => {
    sim = await startStandardSimulation();
  });
  afterAll(() => sim.stop());

  it('syncs the dashboards in the first cycle, not in the next ones within the hour, and again an hour later', async () => {
    // Prepare
    // The collector's clock starts an hour back (values an hour old are still accepted), then catches up.
    let offsetMs = -3600_000 - 1000;
    const collector = startCollector(envOf(sim, { DASHBOARDS: 'hourly' }), (deps) => ({ now: () => deps.now() + offsetMs }));
    const dashboardCalls = (): number => sim.receiver.requests().filter((r) => r.path.startsWith('/api/v0/dashboards')).length;

    // Act
    const summaries = [];
    const calls = [];
    try {
      summaries.push(await collector.cycle());
      calls.push(dashboardCalls());
      summaries.push(await collector.cycle());
      calls.push(dashboardCalls());
      offsetMs = 0;
      summaries.push(await collector.cycle());
      calls.push(dashboardCalls());
    } finally {
      collector.close();
    }

    // Assess
    const [first, second, third] = summaries;
    expect(first?.dashboards?.map((d) => [d.urlPath, d.action])).toEqual(URL_PATHS.map((p) => [p, 'created']));
    expect(second?.dashboards).toBeUndefined();
    expect(calls[1]).toBe(calls[0]);
    expect(third?.dashboards?.map((d) => [d.urlPath, d.action])).toEqual(URL_PATHS.map((p) => [p, 'unchanged']));
    expect(sim.receiver.dashboards().map((d) => d.urlPath).sort()).toEqual(URL_PATHS);
  });
});
