/**
 * SCRAPE_MODE=ssm against direct mode through the real CLI (`collect --json` in a child process) on the standard
 * simulated cluster: the same metrics land on the same hosts, each value is what the service served, and ssm mode
 * reports its own limits (awsvpc) and the usual failures with the same reasons.
 *
 * Direct runs first, ssm second, each in a fresh process (a cold start: the same first-sample set, counters only
 * baselined). Every sample service therefore answers the direct run's scrape as its request 1 and the ssm run's
 * (curl inside agent-script/scrape.sh, run by the simulated SSM Agent with real bash) as its request 2.
 */
import type { Simulation, SimTask } from '../../sim';
import { pluginTextSource, prometheusSource } from '../../sim/sampleBodies';
import type { CycleSummary } from '../../src/pipeline/collect';
import type { MetricValue } from '../../src/types';
import { collectorEnv, reasonFor, runCli, servedGostats, startStandardSimulation, taskKey, taskOf, type CliRun } from './harness';

/** gostats fields divided by the seconds since the previous request (golang-stats-api-handler): never repeatable. */
const ELAPSED_DEPENDENT = new Set(['gc_per_second', 'gc_pause_per_second']);

interface ModeRun {
  readonly run: CliRun;
  readonly summary: CycleSummary;
  readonly posted: MetricValue[];
  readonly calls: Record<string, number>;
  /** Epoch seconds around the CLI run. */
  readonly window: readonly [number, number];
}

let sim: Simulation;
let direct: ModeRun;
let ssm: ModeRun;

async function collectOnce(mode: 'direct' | 'ssm'): Promise<ModeRun> {
  sim.receiver.reset();
  sim.resetCalls();
  const startedS = Math.floor(Date.now() / 1000);
  const run = await runCli(['collect', '--json'], collectorEnv(sim, { SCRAPE_MODE: mode }));
  const window = [startedS, Math.floor(Date.now() / 1000)] as const;
  return { run, summary: JSON.parse(run.stdout) as CycleSummary, posted: sim.receiver.posted(), calls: sim.calls(), window };
}

beforeAll(async () => {
  sim = await startStandardSimulation();
  direct = await collectOnce('direct');
  ssm = await collectOnce('ssm');
});
afterAll(() => sim.stop());

/** The task a posted name belongs to: `custom.<prefix>.<task key>.<graph>.<metric>`. */
function taskOfValue(v: MetricValue): SimTask {
  const key = v.name.split('.')[2];
  const task = sim.tasks().find((t) => taskKey(t) === key);
  if (!task) throw new Error(`no task with key ${key}`);
  return task;
}

function seedOf(task: SimTask): number {
  return sim.tasks().findIndex((t) => t.arn === task.arn);
}

/**
 * What the task's service served for a posted metric on its `request`-th request (sim/sampleBodies.ts is
 * deterministic per seed and request), or 'elapsed-dependent' for the gostats per-second rates.
 */
async function served(v: MetricValue, request: number): Promise<number | 'elapsed-dependent'> {
  const task = taskOfValue(v);
  const [graph = '', metric = ''] = v.name.split('.').slice(-2);
  let body = '';
  if (task.kind === 'gostats') return ELAPSED_DEPENDENT.has(metric) ? 'elapsed-dependent' : servedGostats(sim, task, metric, request);
  if (task.kind === 'prometheus') {
    const source = prometheusSource(seedOf(task));
    for (let i = 0; i < request; i++) body = await source.body();
    // First sample of a cold start: only gauges are posted, unlabelled ones as `<family>.value`.
    const line = metric === 'value' ? body.split('\n').find((l) => l.startsWith(`${graph} `)) : undefined;
    if (line !== undefined) return Number(line.slice(graph.length + 1));
  }
  if (task.kind === 'plugin') {
    const next = pluginTextSource(seedOf(task));
    for (let i = 0; i < request; i++) body = next();
    const line = body.split('\n').find((l) => l.startsWith(`${graph}.${metric}\t`));
    if (line !== undefined) return Number(line.split('\t')[1]);
  }
  throw new Error(`no served value for ${v.name} (${task.kind})`);
}

const pairs = (values: readonly MetricValue[]): string[] => values.map((v) => `${v.hostId} ${v.name}`).sort();
const isQueue = (v: MetricValue): boolean => v.name.includes(`.${taskKey(taskOf(sim, 'queue'))}.`);

describe('collect --json with SCRAPE_MODE=ssm against SCRAPE_MODE=direct on the same cluster', () => {
  it('exits 0 in both modes with the same targets and the same skipped list', () => {
    expect([direct.run.code, ssm.run.code]).toEqual([0, 0]);
    expect(ssm.summary).toMatchObject({ targets: 10, scraped: 5, dryRun: false });
    expect(direct.summary).toMatchObject({ targets: 10, scraped: 6 });
    expect(ssm.summary.skipped).toEqual(direct.summary.skipped);
    expect(ssm.summary.posted).toBe(ssm.posted.length);
  });

  it('posts the same metric names to the same hosts as direct mode, apart from the awsvpc task', () => {
    // Prepare
    const directButQueue = direct.posted.filter((v) => !isQueue(v));

    // Act
    const ssmPairs = pairs(ssm.posted);

    // Assess
    expect(direct.posted.filter(isQueue).map((v) => v.name)).toEqual([`custom.prometheus.${taskKey(taskOf(sim, 'queue'))}.http_requests_in_flight.value`]);
    expect(ssmPairs).toEqual(pairs(directButQueue));
    expect(ssmPairs).toHaveLength(32);
    expect(new Set(ssm.posted.map((v) => v.name)).size).toBe(ssm.posted.length);
  });

  it('posts in each mode exactly what each service served on that request, and equal values where the service repeats itself', async () => {
    // Prepare
    const byName = new Map(ssm.posted.map((v) => [v.name, v]));
    const mismatches: string[] = [];
    const rates: number[] = [];
    let exact = 0;
    let repeated = 0;

    // Act
    for (const d of direct.posted.filter((v) => !isQueue(v))) {
      const s = byName.get(d.name);
      const [first, second] = [await served(d, 1), await served(d, 2)];
      if (first === 'elapsed-dependent' || second === 'elapsed-dependent') {
        rates.push(d.value, s?.value ?? NaN);
        continue;
      }
      if (d.value !== first) mismatches.push(`direct ${d.name}: posted ${d.value}, served ${first}`);
      if (s?.value !== second) mismatches.push(`ssm ${d.name}: posted ${s?.value}, served ${second}`);
      exact++;
      if (first === second) {
        repeated++;
        if (d.value !== s?.value) mismatches.push(`${d.name}: direct ${d.value}, ssm ${s?.value}`);
      }
    }

    // Assess
    expect(mismatches).toEqual([]);
    expect(exact).toBe(26);
    // At least memory_sys, memory_stack and heap_sys of the three gostats targets (constants of the sample body);
    // a pseudo-random gauge can come out the same twice as well.
    expect(repeated).toBeGreaterThanOrEqual(9);
    expect(rates).toHaveLength(12);
    for (const r of rates) expect(r).toBeGreaterThan(0);
  });

  it('stamps every value of a run with that run\'s cycle time', () => {
    for (const run of [direct, ssm]) {
      const times = [...new Set(run.posted.map((v) => v.time))];
      expect(times).toHaveLength(1);
      expect(times[0]).toBeGreaterThanOrEqual(run.window[0]);
      expect(times[0]).toBeLessThanOrEqual(run.window[1]);
    }
  });

  it('fails the awsvpc task in ssm mode because its ENI is not on the instance loopback', () => {
    expect(reasonFor(direct.summary.failed, taskOf(sim, 'queue'))).toBeUndefined();
    expect(reasonFor(ssm.summary.failed, taskOf(sim, 'queue'))).toBe(
      "scrape: awsvpc task: its ENI is not on the instance's loopback; scrape it with SCRAPE_MODE=direct",
    );
  });

  it('reports the refusing, hanging and malformed targets with the same reasons as direct mode', () => {
    // Prepare
    const faulty = ['legacy', 'stuck', 'garbled'].map((f) => taskOf(sim, f));
    const legacy = taskOf(sim, 'legacy');
    const reasons = (run: ModeRun): (string | undefined)[] => faulty.map((t) => reasonFor(run.summary.failed, t));

    // Act
    const [directReasons, ssmReasons] = [reasons(direct), reasons(ssm)];

    // Assess
    expect(directReasons[0]).toBe(`scrape: connection refused (${legacy.address}:${legacy.hostPort})`);
    expect(ssmReasons[0]).toBe(`scrape: connection refused (127.0.0.1:${legacy.hostPort} on ${legacy.instanceId})`);
    expect(ssmReasons.slice(1)).toEqual(directReasons.slice(1));
    expect(ssmReasons[1]).toBe('scrape: timed out after 500 ms');
    expect(ssmReasons[2]).toMatch(/^parse: gostats body: not JSON: /);
    expect(ssm.summary.failed).toHaveLength(4);
    expect(direct.summary.failed).toHaveLength(3);
  });

  it('needs no EC2 DescribeInstances call in ssm mode: one SendCommand covers both instances', () => {
    expect(direct.calls['ec2:DescribeInstances']).toBe(1);
    expect(ssm.calls['ec2:DescribeInstances']).toBeUndefined();
    expect(Object.keys(ssm.calls).filter((k) => k.startsWith('ec2:'))).toEqual([]);
    expect(ssm.calls['ssm:SendCommand']).toBe(1);
    expect(ssm.calls['ssm:GetCommandInvocation']).toBeGreaterThanOrEqual(2);
    expect(direct.calls['ssm:SendCommand']).toBeUndefined();
  });
});
