/**
 * `npm run bench`: the real collection cycle against the simulator at 100, 1,000 and 10,000 tasks, a cold and
 * a warm cycle each, every size (and concurrency) in a fresh child process. See bench/README.md.
 *
 * This process only orchestrates and, by default, hosts the simulator (ECS/EC2 with artificial latency, the
 * Mackerel receiver and one listening socket per task); the child runs the collector in-process.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs, USAGE, type BenchOptions } from './args';
import { readSimCounters, resetSimCounters, type ChildJob, type ChildMessage, type MainReply, type RunResult } from './protocol';
import { startBenchSim, type BenchSim } from './simLink';
import { killSsmChild, runSsmBench } from './ssmBench';
import { runTable, summaryTable } from './table';

const CHILD = path.join(__dirname, 'cycleChild.ts');
const REPO = path.join(__dirname, '..');

let running: ChildProcess | undefined;

/** Forks the child for one job and answers its requests until it reports or dies. */
function runChild(job: ChildJob, sim: BenchSim | undefined, opts: BenchOptions): Promise<RunResult> {
  const failed = (error: string): RunResult => ({ job, instances: Math.ceil(job.size / job.tasksPerInstance), cycles: [], maxRssMb: 0, error });
  const prof = opts.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProfDir}`] : [];
  const child = fork(CHILD, [JSON.stringify(job)], {
    cwd: REPO,
    execArgv: ['--import', 'tsx', '--expose-gc', ...prof],
    env: { ...process.env, ...(sim ? { BENCH_SIM_ENV: JSON.stringify(sim.env) } : {}) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  running = child;
  return new Promise<RunResult>((resolve) => {
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
      else if (sim && m.type === 'reset') {
        resetSimCounters(sim.sim);
        elu0 = performance.eventLoopUtilization();
        child.send({ id: m.id } satisfies MainReply);
      } else if (sim && m.type === 'counters') {
        const simElu = performance.eventLoopUtilization(elu0).utilization;
        child.send({ id: m.id, counters: { ...readSimCounters(sim.sim), simElu } } satisfies MainReply);
      }
    });
    // e.g. a reply sent just as the child died; the exit handler below still resolves.
    child.on('error', (e) => void (result ??= failed(`child process error: ${e.message}`)));
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      running = undefined;
      resolve(result ?? failed(`child exited (${signal ?? `code ${code}`}) without a result`));
    });
  });
}

async function runJob(job: ChildJob, opts: BenchOptions): Promise<RunResult> {
  if (job.sim === 'same') return runChild(job, undefined, opts);
  let sim: BenchSim;
  try {
    sim = await startBenchSim(job);
  } catch (e) {
    return { job, instances: 0, cycles: [], maxRssMb: 0, error: `simulator did not start: ${e instanceof Error ? e.message : String(e)}` };
  }
  try {
    return await runChild(job, sim, opts);
  } finally {
    await sim.stop();
  }
}

async function main(): Promise<number> {
  let opts: BenchOptions | 'help';
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
  if (opts === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const cpus = os.cpus();
  process.stdout.write(
    `mackerel-ecs-collector cycle benchmark · ${new Date().toISOString()} · node ${process.version} · ` +
      `${cpus.length} × ${cpus[0]?.model.trim() ?? 'cpu'} · ${opts.tasksPerInstance} tasks/instance · ` +
      `latency: AWS ${opts.awsLatencyMs} ms, targets ${opts.targetLatencyMs} ms, Mackerel ${opts.mackerelLatencyMs} ms · SCRAPE_MODE ${opts.mode}\n\n`,
  );
  if (opts.mode === 'ssm') return runSsmBench(opts);
  const results: RunResult[] = [];
  for (const concurrency of opts.concurrencies) {
    for (const size of opts.sizes) {
      const { tasksPerInstance, awsLatencyMs, targetLatencyMs, mackerelLatencyMs, sim } = opts;
      const job: ChildJob = { size, concurrency, tasksPerInstance, awsLatencyMs, targetLatencyMs, mackerelLatencyMs, sim };
      const result = await runJob(job, opts);
      results.push(result);
      process.stdout.write(`${runTable(result)}\n\n`);
    }
  }
  process.stdout.write(`summary\n${summaryTable(results)}\n`);
  if (opts.jsonFile) writeFileSync(opts.jsonFile, `${JSON.stringify(results, null, 2)}\n`);
  return results.some((r) => r.error !== undefined) ? 1 : 0;
}

// Ctrl-C: take the child down with us (it also exits on its own when the IPC channel closes).
process.once('SIGINT', () => {
  running?.kill('SIGKILL');
  killSsmChild();
  process.exit(130);
});

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    running?.kill('SIGKILL');
    killSsmChild();
    process.stderr.write(`benchmark failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
