/**
 * SCRAPE_MODE=ssm failures through the real CLI (`collect --json` in a child process): whatever goes wrong with
 * SSM is reported per target in the summary's `failed`, with its reason, and the rest of the cycle lands.
 */
import { generatedScenario, startSimulation, type Simulation, type TaskSpec } from '../../sim';
import type { CycleSummary } from '../../src/pipeline/collect';
import { INVOCATION_STDOUT_MAX_CHARS } from '../../src/scrape/ssmPort';
import { collectorEnv, E2E_API_KEY, hostIdOf, reasonFor, runCli, taskKey, taskOf, type CliRun } from './harness';

async function collectSsm(sim: Simulation): Promise<{ run: CliRun; summary: CycleSummary }> {
  const run = await runCli(['collect', '--json'], collectorEnv(sim, { SCRAPE_MODE: 'ssm' }));
  return { run, summary: JSON.parse(run.stdout) as CycleSummary };
}

const labelled = (family: string, instance: number, kind: 'gostats' | 'plugin'): TaskSpec => ({
  family,
  service: family,
  networkMode: 'bridge',
  instance,
  kind,
  labels: { 'mackerel.metrics.port': '{port}', 'mackerel.metrics.format': kind },
});

const TARGETS = 80;

/** #0 and #3 healthy; #1 offline (Undeliverable); #2 unmanaged (InvalidInstanceId fails a whole SendCommand). */
async function startFleet(): Promise<Simulation> {
  const sim = await startSimulation({
    apiKey: E2E_API_KEY,
    clusters: [
      {
        name: 'fleet',
        instances: ['127.0.3.1', '127.0.3.2', '127.0.3.3', '127.0.3.4'].map((address) => ({ address })),
        tasks: [
          labelled('api', 0, 'gostats'),
          labelled('jobs', 0, 'plugin'),
          labelled('offa', 1, 'gostats'),
          labelled('offb', 1, 'plugin'),
          labelled('lost', 2, 'gostats'),
          labelled('tail', 3, 'gostats'),
        ],
      },
    ],
  });
  const [, offline, unmanaged] = sim.instances();
  sim.ssm.setAgent(offline?.instanceId ?? '', 'offline');
  sim.ssm.setAgent(unmanaged?.instanceId ?? '', 'unmanaged');
  return sim;
}

/** 80 Prometheus targets on ONE instance: about 380 characters of framed gzip+base64 each, 30,000 in all. */
function startCrowded(): Promise<Simulation> {
  return startSimulation({
    ...generatedScenario(TARGETS, { cluster: 'crowded', tasksPerInstance: TARGETS, tasksPerService: TARGETS, kinds: ['prometheus'] }),
    apiKey: E2E_API_KEY,
  });
}

let fleet: Simulation;
let crowded: Simulation;
let fleetRun: { run: CliRun; summary: CycleSummary };
let crowdedRun: { run: CliRun; summary: CycleSummary };

// Two independent simulations: their cycles (mostly waiting on SSM polls) run side by side.
beforeAll(async () => {
  [fleet, crowded] = await Promise.all([startFleet(), startCrowded()]);
  [fleetRun, crowdedRun] = await Promise.all([collectSsm(fleet), collectSsm(crowded)]);
});
afterAll(() => Promise.all([fleet.stop(), crowded.stop()]));

describe('an instance whose SSM Agent is offline and an instance SSM does not manage', () => {
  let sim: Simulation;
  let run: CliRun;
  let summary: CycleSummary;
  beforeAll(() => void ({ sim, run, summary } = { sim: fleet, ...fleetRun }));

  it('fails every target of the offline instance with the Undeliverable status', () => {
    const [offa, offb] = [taskOf(sim, 'offa'), taskOf(sim, 'offb')];
    expect(offa.instanceId).toBe(offb.instanceId);
    for (const t of [offa, offb]) {
      expect(reasonFor(summary.failed, t)).toBe(`scrape: SSM command Failed (Undeliverable) on ${t.instanceId}`);
    }
  });

  it('fails the targets of the unmanaged instance with InvalidInstanceId and what to fix', () => {
    const lost = taskOf(sim, 'lost');
    expect(reasonFor(summary.failed, lost)).toBe(
      `scrape: instance ${lost.instanceId} is not managed by SSM (InvalidInstanceId): the SSM Agent must be online and the instance profile must allow SSM (AmazonSSMManagedInstanceCore)`,
    );
  });

  it('lands the targets of the other instances, the one batched with the unmanaged instance included', () => {
    // Prepare
    const healthy = ['api', 'jobs', 'tail'].map((f) => taskOf(sim, f));
    const posted = sim.receiver.posted();

    // Act
    const hostsOf = (key: string): string[] => [...new Set(posted.filter((v) => v.name.split('.')[2] === key).map((v) => v.hostId))];

    // Assess
    expect(run.code).toBe(0);
    expect(summary).toMatchObject({ targets: 6, scraped: 3, posted: posted.length });
    expect(summary.failed).toHaveLength(3);
    for (const t of healthy) expect(hostsOf(taskKey(t))).toEqual([hostIdOf(sim, t)]);
    for (const f of ['offa', 'offb', 'lost']) expect(hostsOf(taskKey(taskOf(sim, f)))).toEqual([]);
    // One SendCommand for all four instances failed as a whole, then halves were retried until #2 stood alone.
    expect(sim.calls()['ssm:SendCommand']).toBeGreaterThanOrEqual(3);
  });
});

describe('output over the 24,000 characters of GetCommandInvocation without SSM_OUTPUT_BUCKET', () => {
  let sim: Simulation;
  let run: CliRun;
  let summary: CycleSummary;
  beforeAll(() => void ({ sim, run, summary } = { sim: crowded, ...crowdedRun }));

  it('lands the targets whose frames arrived whole and fails the rest saying the output was cut and SSM_OUTPUT_BUCKET fixes it', () => {
    // Prepare
    const instanceId = sim.instances()[0]?.instanceId ?? '';
    const truncated = /^scrape: SSM output truncated at 24,000 characters \((\d+) bytes needed\) on (i-[0-9a-f]+); set SSM_OUTPUT_BUCKET$/;

    // Act
    const matches = summary.failed.map((i) => truncated.exec(i.reason));

    // Assess
    expect(run.code).toBe(0);
    expect(summary.targets).toBe(TARGETS);
    expect(summary.scraped + summary.failed.length).toBe(TARGETS);
    expect(summary.scraped).toBeGreaterThan(40);
    expect(summary.failed.length).toBeGreaterThan(0);
    for (const m of matches) {
      expect(m?.[2]).toBe(instanceId);
      expect(Number(m?.[1])).toBeGreaterThan(INVOCATION_STDOUT_MAX_CHARS);
    }
    expect(new Set(matches.map((m) => m?.[1])).size).toBe(1);
  });

  it('posts one in-flight gauge per landed target, none for the cut ones', () => {
    const keys = new Set(sim.receiver.posted().map((v) => v.name.split('.')[2]));
    const failedKeys = sim.tasks().filter((t) => reasonFor(summary.failed, t) !== undefined).map(taskKey);
    expect(keys.size).toBe(summary.scraped);
    expect(sim.receiver.posted()).toHaveLength(summary.scraped);
    expect(failedKeys.filter((k) => keys.has(k))).toEqual([]);
  });
});
