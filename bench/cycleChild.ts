/**
 * One benchmark run in a fresh process (forked by cycle.bench.ts): runtime.ts keeps its discovery caches,
 * counter baselines and graph-definition times at module scope, so only a new process gives a truly cold
 * first cycle. Runs the real cycle in-process exactly as the demo does (loadConfig → getCollectorDeps →
 * collect), a cold cycle then a warm one, and reports both to the main process.
 */
import { performance } from 'node:perf_hooks';
import { loadConfig, type Config } from '../src/config/config';
import { silentLogger } from '../src/log';
import { collect, type CollectorDeps } from '../src/pipeline/collect';
import { closeCollectorDeps, getCollectorDeps } from '../src/runtime';
import { instrument } from './instrument';
import type { ChildJob, ChildMessage, CycleResult, RunResult } from './protocol';
import { remoteSim, startLocalSim, type SimLink } from './simLink';

const MIB = 1024 * 1024;
const RSS_SAMPLE_MS = 20;

/** Sends a message and resolves once it is written, so that exiting right after cannot drop it. */
const send = (m: ChildMessage): Promise<void> =>
  new Promise((resolve) => {
    if (!process.send) return resolve();
    process.send(m, undefined, {}, () => resolve());
  });

/** Frees the cold cycle's garbage so the warm cycle's peak is its own (the child runs with --expose-gc). */
function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** Waits until a later whole second: gostats per-minute diffs need elapsed >= 1 s between samples. */
async function nextSecondAfter(epochMs: number): Promise<void> {
  const wait = (Math.floor(epochMs / 1000) + 1) * 1000 - Date.now() + 20;
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
}

async function measure(label: CycleResult['label'], config: Config, deps: CollectorDeps, sim: SimLink): Promise<CycleResult> {
  collectGarbage();
  await sim.reset();
  const rssStart = process.memoryUsage.rss();
  let rssPeak = rssStart;
  // memoryUsage.rss() only reads the resident set size; memoryUsage() also walks the V8 heap spaces.
  const sample = (): void => void (rssPeak = Math.max(rssPeak, process.memoryUsage.rss()));
  const sampler = setInterval(sample, RSS_SAMPLE_MS);
  const { deps: timed, phases } = instrument(deps);
  const cpu0 = process.cpuUsage();
  const elu0 = performance.eventLoopUtilization();
  const t0 = performance.now();
  try {
    const s = await collect(config, timed);
    const wallMs = performance.now() - t0;
    const elu = performance.eventLoopUtilization(elu0).utilization;
    const cpu = process.cpuUsage(cpu0);
    sample();
    return {
      label,
      wallMs,
      phases: phases(),
      targets: s.targets,
      scraped: s.scraped,
      failed: s.failed.length,
      skipped: s.skipped.length,
      failureSamples: [...new Set([...s.failed, ...s.skipped].map((i) => i.reason.replace(/\(127[^)]*\)/, '(…)')))].slice(0, 3),
      samples: s.samples,
      posted: s.posted,
      graphDefs: s.graphDefs,
      bytesScraped: s.bytesScraped,
      cpuMs: (cpu.user + cpu.system) / 1000,
      elu,
      rssStartMb: rssStart / MIB,
      rssPeakMb: rssPeak / MIB,
      heapEndMb: process.memoryUsage().heapUsed / MIB,
      sim: await sim.counters(),
    };
  } finally {
    clearInterval(sampler);
  }
}

async function run(job: ChildJob): Promise<RunResult> {
  const sim = job.sim === 'same' ? await startLocalSim(job) : remoteSim(job);
  try {
    const env = { ...sim.env, SCRAPE_CONCURRENCY: String(job.concurrency), LOG_LEVEL: 'error' };
    // The SDK reads its endpoints and credentials from process.env, as in Lambda.
    Object.assign(process.env, env);
    const parsed = loadConfig(env);
    if (!parsed.ok) throw parsed.error;
    const config = parsed.value;
    const deps = getCollectorDeps(config, config.mackerelApiKey, silentLogger);
    const cycles: CycleResult[] = [];
    try {
      const coldStarted = Date.now();
      cycles.push(await measure('cold', config, deps, sim));
      await nextSecondAfter(coldStarted);
      cycles.push(await measure('warm', config, deps, sim));
    } finally {
      closeCollectorDeps();
    }
    return { job, instances: sim.instances, cycles, maxRssMb: process.resourceUsage().maxRSS / 1024 };
  } finally {
    await sim.stop();
  }
}

const job = JSON.parse(process.argv[2] ?? '{}') as ChildJob;
// If the main process goes away, so does this one: the bench must never leave anything running.
process.on('disconnect', () => process.exit(2));
// Exit explicitly: nothing this run opened may keep the process (and so the benchmark) alive.
run(job).then(
  async (result) => {
    await send({ type: 'done', result });
    process.exit(0);
  },
  async (e: unknown) => {
    await send({ type: 'failed', error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
    process.exit(1);
  },
);
