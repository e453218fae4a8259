/**
 * The CLI contract, through the real command as a child process (`node bin/mackerel-ecs-collector.cjs`)
 * against the simulated cluster: what it prints, what it posts, and that it never prints the API key.
 */
import type { Simulation } from '../../sim';
import type { CycleSummary } from '../../src/pipeline/collect';
import type { Issue, MetricValue } from '../../src/types';
import { collectorEnv, E2E_API_KEY, hostIdOf, reasonFor, runCli, startStandardSimulation, taskKey, taskOf, type CliRun } from './harness';

let sim: Simulation;
const runs: CliRun[] = [];

beforeAll(async () => {
  sim = await startStandardSimulation();
});
afterAll(() => sim.stop());

/** Runs the CLI against the simulation with a freshly reset receiver (hosts kept). */
async function cli(args: readonly string[], extra: Record<string, string> = {}): Promise<CliRun> {
  sim.receiver.reset();
  // LOG_LEVEL=debug: the most log lines for the secret grep at the end.
  const run = await runCli(args, collectorEnv(sim, { LOG_LEVEL: 'debug', ...extra }));
  runs.push(run);
  return run;
}

function isIssueList(v: unknown): v is Issue[] {
  return Array.isArray(v) && v.every((i) => typeof (i as Issue).target === 'string' && typeof (i as Issue).reason === 'string');
}

describe('collect --json', () => {
  let run: CliRun;
  let summary: CycleSummary;
  let posted: MetricValue[];

  beforeAll(async () => {
    run = await cli(['collect', '--json']);
    summary = JSON.parse(run.stdout) as CycleSummary;
    posted = sim.receiver.posted();
  });

  it('exits 0 and prints exactly one JSON object with targets, scraped, posted, skipped and failed', () => {
    expect(run.code).toBe(0);
    expect(run.stdout.trim().split('\n')).toHaveLength(1);
    expect(summary).toMatchObject({ targets: 10, scraped: 6, dryRun: false });
    expect(isIssueList(summary.skipped)).toBe(true);
    expect(isIssueList(summary.failed)).toBe(true);
  });

  it('lists the refusing, hanging and malformed targets as failed, each with its reason', () => {
    expect(reasonFor(summary.failed, taskOf(sim, 'legacy'))).toMatch(/refused/);
    expect(reasonFor(summary.failed, taskOf(sim, 'stuck'))).toMatch(/timed out/);
    expect(reasonFor(summary.failed, taskOf(sim, 'garbled'))).toMatch(/parse/);
    expect(summary.failed).toHaveLength(3);
  });

  it('lists the Fargate task and the task on the instance without a Mackerel host as skipped', () => {
    expect(reasonFor(summary.skipped, taskOf(sim, 'edge'))).toMatch(/Fargate/);
    expect(reasonFor(summary.skipped, taskOf(sim, 'orphan'))).toMatch(/no Mackerel host/);
    expect(summary.skipped).toHaveLength(2);
  });

  it('mentions the unlabelled frontend task nowhere', () => {
    const frontend = taskOf(sim, 'frontend');
    expect(run.stdout).not.toContain(frontend.id);
    expect(run.stdout).not.toContain('frontend');
  });

  it('reports as posted exactly the number of values the receiver recorded', () => {
    expect(summary.posted).toBe(posted.length);
    expect(summary.posted).toBe(summary.samples);
    const api = taskOf(sim, 'api');
    expect(posted.filter((v) => v.name === `custom.gostats.${taskKey(api)}.runtime.goroutine_num`).map((v) => v.hostId)).toEqual([
      hostIdOf(sim, api),
    ]);
  });

  it('writes its logs to stderr as JSON lines ending with the cycle summary', () => {
    const lines = run.stderr.trim().split('\n').map((l) => JSON.parse(l) as { message: string; posted?: number });
    expect(lines.at(-1)).toMatchObject({ message: 'cycle summary', posted: summary.posted });
  });
});

describe('collect --dry-run', () => {
  it('posts nothing and prints every value it would post, with its host, name, value and time', async () => {
    // Prepare
    const api = taskOf(sim, 'api');
    const name = `custom.gostats.${taskKey(api)}.runtime.goroutine_num`;

    // Act
    const run = await cli(['collect', '--dry-run']);

    // Assess
    expect(run.code).toBe(0);
    expect(sim.receiver.requests().filter((r) => r.method === 'POST')).toEqual([]);
    expect(sim.receiver.posted()).toEqual([]);
    const row = run.stdout.split('\n').find((l) => l.includes(` ${name} `));
    const [host, printedName, value, time] = (row ?? '').trim().split(/\s+/);
    expect([host, printedName]).toEqual([hostIdOf(sim, api), name]);
    expect(Number(value)).toBeGreaterThanOrEqual(10);
    expect(Number(value)).toBeLessThan(60);
    expect(Math.abs(Number(time) - Date.now() / 1000)).toBeLessThan(60);
    expect(run.stdout).toMatch(/^dry run: 10 target\(s\), 6 scraped, (\d+) sample\(s\), 0 posted/m);
  });
});

describe('discover', () => {
  it('prints a table listing every target with its address and dynamic host port', async () => {
    // Prepare
    const targets = ['api', 'web', 'worker', 'queue', 'batch', 'legacy', 'stuck', 'garbled', 'orphan'].flatMap((f) =>
      sim.tasks().filter((t) => t.family === f),
    );

    // Act
    const run = await cli(['discover']);

    // Assess
    expect(run.code).toBe(0);
    const rows = run.stdout.split('\n');
    expect(rows[0]).toMatch(/^CLUSTER\s+SERVICE\s+TASK KEY\s+CONTAINER\s+MODE\s+INSTANCE\s+ADDRESS/);
    for (const t of targets) {
      const row = rows.find((r) => r.includes(` ${taskKey(t)} `));
      expect(row).toContain(` ${t.address}:${t.hostPort} `);
    }
    expect(run.stdout).toContain('10 target(s)');
    expect(taskOf(sim, 'api').hostPort).not.toBe(8080);
    expect(run.stdout).not.toContain('frontend');
    expect(sim.receiver.requests().filter((r) => r.method === 'POST')).toEqual([]);
  });
});

describe('secrets', () => {
  it('never prints the API key on stdout or stderr', () => {
    expect(runs.length).toBeGreaterThanOrEqual(3);
    for (const run of runs) {
      expect(run.stdout).not.toContain(E2E_API_KEY);
      expect(run.stderr).not.toContain(E2E_API_KEY);
    }
  });
});
