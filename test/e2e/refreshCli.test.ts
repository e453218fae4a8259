/**
 * `mackerel-ecs-collector refresh --event FILE|-` as other tooling drives it: the real CLI as a child process
 * against the simulated cluster, one EventBridge event per run, one JSON summary on stdout.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { duplicateEvent, type SimTask, type Simulation } from '../../sim';
import type { RefreshSummary } from '../../src/pipeline/refresh';
import { collectorEnv, E2E_API_KEY, hostIdOf, landed, runCli, startStandardSimulation, taskKey, type CliRun } from './harness';
import { apiSpec, eventFile, eventOf, inventoryOf } from './harness5';

const SCHEDULED_EVENT = path.join(__dirname, '..', 'handler', 'events', 'scheduled.json');

let sim: Simulation;
let task: SimTask;
const runs: CliRun[] = [];

beforeAll(async () => {
  sim = await startStandardSimulation();
  task = await sim.startTask('prod', apiSpec());
});
afterAll(() => sim.stop());

const env = (): Record<string, string> => collectorEnv(sim, { SCRAPE_TIMEOUT_MS: '100' });

/** `refresh --event <file>` (or `--event -` with the event on stdin); the run is kept for the key check. */
async function refresh(event: unknown, via: 'file' | 'stdin' = 'file'): Promise<CliRun> {
  const text = typeof event === 'string' ? event : JSON.stringify(event);
  const run = via === 'file' ? await runCli(['refresh', '--event', eventFile(text)], env()) : await runCli(['refresh', '--event', '-'], env(), text);
  runs.push(run);
  return run;
}

/** The one JSON line the command prints. */
function summaryOf(run: CliRun): RefreshSummary {
  expect(run.stdout.trim().split('\n')).toHaveLength(1);
  return JSON.parse(run.stdout) as RefreshSummary;
}

describe('one task through its events', () => {
  it('scrapes a new task from its RUNNING event file and prints action "scraped"', async () => {
    // Act
    const run = await refresh(eventOf(sim, task, 'RUNNING'));

    // Assess
    expect(run.code).toBe(0);
    const summary = summaryOf(run);
    expect(summary).toMatchObject({ action: 'scraped', taskArn: task.arn, cluster: 'prod', version: 2, targets: 1, scraped: 1, inventoryChanged: true });
    expect(summary.posted).toBeGreaterThan(0);
    expect(landed(sim, `custom.gostats.${taskKey(task)}.runtime.goroutine_num`).map((v) => v.hostId)).toEqual([hostIdOf(sim, task)]);
  });

  it('prints action "duplicate" for the same change read from stdin, in a process that starts cold', async () => {
    // Prepare
    const posted = sim.receiver.posted().length;

    // Act
    const run = await refresh(duplicateEvent(eventOf(sim, task, 'RUNNING')), 'stdin');

    // Assess
    expect(run.code).toBe(0);
    expect(summaryOf(run)).toMatchObject({ action: 'duplicate', version: 2, posted: 0, inventoryChanged: false });
    expect(sim.receiver.posted()).toHaveLength(posted);
  });

  it('prints action "retired" for the STOPPED event from stdin and removes the task from the inventory', async () => {
    // Prepare
    await sim.stopTask(task.arn);

    // Act
    const run = await refresh(eventOf(sim, task, 'STOPPED'), 'stdin');

    // Assess
    expect(run.code).toBe(0);
    expect(summaryOf(run)).toMatchObject({ action: 'retired', version: 4, inventoryChanged: true });
    expect(inventoryOf(sim, hostIdOf(sim, task))?.tasks.map((t) => t.taskId)).not.toContain(task.id);
  });
});

describe('events that are not ours', () => {
  let results: { scheduled: CliRun; otherCluster: CliRun; garbage: CliRun; noEvent: CliRun };

  beforeAll(async () => {
    const running = eventOf(sim, sim.tasks()[0] ?? task, 'RUNNING');
    const staging = { ...running, detail: { ...running.detail, clusterArn: running.detail.clusterArn.replace(/cluster\/prod$/, 'cluster/staging') } };
    // Independent runs: in parallel, to keep the file short.
    const [scheduled, otherCluster, garbage, noEvent] = await Promise.all([
      refresh(readFileSync(SCHEDULED_EVENT, 'utf8')),
      refresh(staging, 'stdin'),
      refresh('{"detail-type": "ECS Task State Change", '),
      runCli(['refresh'], env()),
    ]);
    runs.push(noEvent);
    results = { scheduled, otherCluster, garbage, noEvent };
  });

  it('prints action "ignored" for an event that is not an ECS Task State Change', () => {
    expect(results.scheduled.code).toBe(0);
    expect(summaryOf(results.scheduled)).toMatchObject({ action: 'ignored', reason: expect.stringMatching(/^not an ECS Task State Change event/), targets: 0 });
  });

  it('prints action "ignored" for a task of a cluster not in ECS_CLUSTERS', () => {
    expect(results.otherCluster.code).toBe(0);
    expect(summaryOf(results.otherCluster)).toMatchObject({ action: 'ignored', reason: 'cluster staging is not in ECS_CLUSTERS' });
  });

  it('exits 2 with the reason on stderr for a file that is not JSON, or no --event at all', () => {
    expect(results.garbage).toMatchObject({ code: 2, stdout: '' });
    expect(results.garbage.stderr).toMatch(/event\.json is not JSON/);
    expect(results.noEvent).toMatchObject({ code: 2, stdout: '' });
    expect(results.noEvent.stderr).toMatch(/refresh needs --event FILE/);
  });
});

afterAll(() => {
  // Every run's output, logs included, is free of the API key.
  expect(runs.filter((r) => (r.stdout + r.stderr).includes(E2E_API_KEY))).toEqual([]);
});
