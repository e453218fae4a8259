/**
 * `npm run bench -- --mode ssm`: the same cold and warm cycles as direct mode (cycleChild.ts, unchanged: the mode
 * arrives in its environment as SCRAPE_MODE=ssm) against the same generated cluster, with the simulated SSM
 * endpoint running agent-script/scrape.sh with real bash per instance. The simulator stays in this process,
 * behind a recording proxy (ssmProxy.ts) that reads the command output per instance and the script times. After
 * the cycles, ssmFit.ts measures how many targets fit in one invocation's inline output.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { BenchOptions } from './args';
import { readSimCounters, resetSimCounters, type ChildJob, type ChildMessage, type MainReply, type RunResult } from './protocol';
import { fitTable, measureFit, type FitResult } from './ssmFit';
import { startSsmProxy, type SsmProxy } from './ssmProxy';
import { ssmTable, summariseTrace, type SsmCycleStats } from './ssmStats';
import { startBenchSim, type BenchSim } from './simLink';
import { runTable } from './table';

const CHILD = path.join(__dirname, 'cycleChild.ts');
const REPO = path.join(__dirname, '..');
/** Targets per instance in the fit measurement: more than the smallest body (plugin text, ~160 chars) can fit. */
const FIT_TARGETS = 200;

let running: ChildProcess | undefined;

/** Kills the child of the run in progress (Ctrl-C in cycle.bench.ts). */
export function killSsmChild(): void {
  running?.kill('SIGKILL');
}

/** One size in ssm mode: the child's result and the SSM figures of each of its cycles. */
export interface SsmRun {
  readonly result: RunResult;
  readonly ssm: readonly SsmCycleStats[];
}

function runChild(job: ChildJob, bench: BenchSim, proxy: SsmProxy, opts: BenchOptions): Promise<SsmRun> {
  const failed = (error: string): RunResult => ({ job, instances: Math.ceil(job.size / job.tasksPerInstance), cycles: [], maxRssMb: 0, error });
  const kinds = new Map<string, Set<string>>();
  for (const t of bench.sim.tasks()) kinds.set(t.instanceId ?? '', (kinds.get(t.instanceId ?? '') ?? new Set()).add(t.kind));
  const kindOf = (id: string): string => [...(kinds.get(id) ?? [])].sort().join('+') || '?';
  const env = { ...bench.env, AWS_ENDPOINT_URL_SSM: proxy.url, SCRAPE_MODE: 'ssm' };
  const child = fork(CHILD, [JSON.stringify(job)], {
    cwd: REPO,
    execArgv: ['--import', 'tsx', '--expose-gc'],
    env: { ...process.env, BENCH_SIM_ENV: JSON.stringify(env) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  running = child;
  const stats: SsmCycleStats[] = [];
  return new Promise<SsmRun>((resolve) => {
    let result: RunResult | undefined;
    let elu0 = performance.eventLoopUtilization();
    const timer = setTimeout(() => {
      result ??= failed(`still running after ${opts.maxSecondsPerRun} s: killed`);
      child.kill('SIGKILL');
    }, opts.maxSecondsPerRun * 1000);
    child.on('message', (raw) => {
      const m = raw as ChildMessage;
      if (m.type === 'done') result = m.result;
      else if (m.type === 'failed') result = failed(m.error);
      else if (m.type === 'reset') {
        resetSimCounters(bench.sim);
        proxy.reset();
        elu0 = performance.eventLoopUtilization();
        child.send({ id: m.id } satisfies MainReply);
      } else if (m.type === 'counters') {
        stats.push(summariseTrace(proxy.trace(), kindOf));
        const simElu = performance.eventLoopUtilization(elu0).utilization;
        child.send({ id: m.id, counters: { ...readSimCounters(bench.sim), simElu } } satisfies MainReply);
      }
    });
    child.on('error', (e) => void (result ??= failed(`child process error: ${e.message}`)));
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      running = undefined;
      resolve({ result: result ?? failed(`child exited (${signal ?? `code ${code}`}) without a result`), ssm: stats });
    });
  });
}

async function runSize(job: ChildJob, opts: BenchOptions): Promise<SsmRun> {
  const bench = await startBenchSim(job);
  let proxy: SsmProxy | undefined;
  try {
    if (opts.ssmMaxRunning !== undefined) bench.sim.ssm.maxRunning = opts.ssmMaxRunning;
    proxy = await startSsmProxy(bench.env.AWS_ENDPOINT_URL_SSM ?? '');
    return await runChild(job, bench, proxy, opts);
  } finally {
    await proxy?.close();
    await bench.stop();
  }
}

/** Runs every size once in ssm mode (SCRAPE_CONCURRENCY plays no part in it), then the fit measurement. */
export async function runSsmBench(opts: BenchOptions): Promise<number> {
  const runs: SsmRun[] = [];
  for (const size of opts.sizes) {
    const { tasksPerInstance, awsLatencyMs, targetLatencyMs, mackerelLatencyMs } = opts;
    const job: ChildJob = { size, concurrency: opts.concurrencies[0] ?? 64, tasksPerInstance, awsLatencyMs, targetLatencyMs, mackerelLatencyMs, sim: 'separate' };
    const run = await runSize(job, opts);
    runs.push(run);
    const maxRunning = opts.ssmMaxRunning === undefined ? 'default' : String(opts.ssmMaxRunning);
    process.stdout.write(`SCRAPE_MODE=ssm · simulator SSM maxRunning ${maxRunning} (SCRAPE_CONCURRENCY is not used in ssm mode)\n`);
    process.stdout.write(`${runTable(run.result)}\n`);
    const labels = run.result.cycles.map((c) => c.label);
    process.stdout.write(`${ssmTable(run.ssm.map((stats, i) => ({ label: labels[i] ?? `#${i + 1}`, stats })))}\n\n`);
  }
  let fit: FitResult[] = [];
  if (!opts.ssmSkipFit) {
    fit = await measureFit(['gostats', 'prometheus', 'plugin'], FIT_TARGETS);
    process.stdout.write(`targets per invocation before the inline output is cut (one instance per kind, ${FIT_TARGETS} targets each)\n${fitTable(fit)}\n`);
  }
  if (opts.jsonFile) writeFileSync(opts.jsonFile, `${JSON.stringify({ mode: 'ssm', runs, fit }, null, 2)}\n`);
  return runs.some((r) => r.result.error !== undefined) ? 1 : 0;
}
