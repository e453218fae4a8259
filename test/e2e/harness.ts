/**
 * Shared plumbing of the end-to-end tests: the standard simulated cluster with a recognisable API key, the
 * real CLI as a child process, and the real runtime in-process with a cold start per collector.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { standardScenario, startSimulation, type Simulation, type SimTask } from '../../sim';
import { gostatsSource } from '../../sim/sampleBodies';
import type { Config } from '../../src/config/config';
import type { CollectOptions, CollectorDeps, CycleSummary } from '../../src/pipeline/collect';
import type { Issue, MetricValue } from '../../src/types';

export const REPO_ROOT = path.resolve(__dirname, '../..');
export const CLI_PATH = path.join(REPO_ROOT, 'bin/mackerel-ecs-collector.cjs');
/** The seed's `docker ps --filter name=batch` case: the batch task has no labels, only this rule. */
export const BATCH_RULE = JSON.stringify([{ family: 'batch', port: 8080, format: 'gostats' }]);
/** Distinctive, so a grep of captured output finds it if anything ever prints it. */
export const E2E_API_KEY = 'e2e-mkr-key-7f3a9c1d5b2e4f60a8';
/** A child CLI run is killed after this long so a hang fails the test instead of the suite. */
const CLI_KILL_AFTER_MS = 20_000;

/** The standard scenario (sim/scenarios.ts) with E2E_API_KEY as the receiver's key. */
export function startStandardSimulation(): Promise<Simulation> {
  return startSimulation({ ...standardScenario(), apiKey: E2E_API_KEY });
}

/** The collector's environment for a simulation: the batch rule and a short scrape timeout for the hanging target. */
export function collectorEnv(sim: Simulation, extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  return { ...sim.env, TARGET_RULES: BATCH_RULE, SCRAPE_TIMEOUT_MS: '500', ...extra };
}

/** The n-th task of a family, in start order. */
export function taskOf(sim: Simulation, family: string, nth = 0): SimTask {
  const task = sim.tasks().filter((t) => t.family === family)[nth];
  if (!task) throw new Error(`the simulation has no task #${nth} of family ${family}`);
  return task;
}

/** The `METRIC_KEY=task` key of a task: `<service>-<first 8 hex of the task id>`. */
export function taskKey(task: SimTask): string {
  return `${task.service ?? task.family}-${task.id.slice(0, 8)}`;
}

/** The Mackerel host id of the instance a task runs on. */
export function hostIdOf(sim: Simulation, task: SimTask): string {
  const host = sim.receiver.hostByInstance(task.instanceId ?? '');
  if (!host) throw new Error(`task ${task.family} runs on no instance with a Mackerel host`);
  return host.id;
}

/**
 * A field of the gostats body the task's sample service answers on its n-th request (1 = first). The
 * simulator seeds each task's service with the task's start index (sim/index.ts), and gostatsSource is
 * deterministic per seed, so the value the collector saw can be recomputed exactly.
 */
export function servedGostats(sim: Simulation, task: SimTask, field: string, request = 1): number {
  const next = gostatsSource(sim.tasks().findIndex((t) => t.arn === task.arn));
  let body = '';
  for (let i = 0; i < request; i++) body = next();
  const parsed: unknown = JSON.parse(body);
  const n = (parsed as Record<string, unknown>)[field];
  if (typeof n !== 'number') throw new Error(`sample body without a numeric ${field}`);
  return n;
}

/**
 * Waits until the epoch second has moved on from the current one. Called after a cycle returned, the next
 * cycle then runs in a later whole second than it: counters diff over whole seconds.
 */
export async function nextSecond(): Promise<void> {
  const target = (Math.floor(Date.now() / 1000) + 1) * 1000;
  await pause(Math.max(0, target - Date.now()) + 10);
}

/** Values the receiver accepted under one name. */
export function landed(sim: Simulation, name: string): MetricValue[] {
  return sim.receiver.posted().filter((v) => v.name === name);
}

/** The reason recorded for the task's target, if it is in the list. */
export function reasonFor(issues: readonly Issue[], task: SimTask): string | undefined {
  return issues.find((i) => i.target.includes(task.id))?.reason;
}

/** What one CLI run printed and how it ended. */
export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `node bin/mackerel-ecs-collector.cjs <args>` with process.env plus `env` (an `undefined` value unsets a
 * variable), with `stdin` written to its standard input when given. Asynchronous on purpose: the simulator
 * serves from this process's event loop.
 */
export function runCli(args: readonly string[], env: Readonly<Record<string, string | undefined>>, stdin?: string): Promise<CliRun> {
  const childEnv: Record<string, string | undefined> = { ...process.env, ...env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete childEnv[k];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_PATH, ...args], {
      cwd: REPO_ROOT,
      env: childEnv,
      stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    if (stdin !== undefined) child.stdin?.end(stdin);
    const killer = setTimeout(() => child.kill('SIGKILL'), CLI_KILL_AFTER_MS);
    child.on('error', (e) => {
      clearTimeout(killer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr });
    });
  });
}

type Runtime = typeof import('../../src/runtime');
type ConfigModule = typeof import('../../src/config/config');
type CollectModule = typeof import('../../src/pipeline/collect');
type LogModule = typeof import('../../src/log');

/** A cold-started collector in this process, as one warm Lambda container sees it. */
export interface InProcessCollector {
  readonly config: Config;
  /** Every JSON log line the collector wrote. */
  readonly logs: string[];
  /** Runs one cycle with the same (warm) dependencies. */
  cycle(): Promise<CycleSummary>;
  /** Closes the scraper sockets and restores process.env. */
  close(): void;
}

/**
 * Sets `vars` in process.env (the AWS SDK reads its endpoints and credentials there, as in Lambda) and
 * returns a function restoring the previous values.
 */
export function setProcessEnv(vars: Readonly<Record<string, string | undefined>>): () => void {
  const previous = new Map(Object.keys(vars).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(vars)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  return () => {
    for (const [k, v] of previous) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}

/**
 * loadConfig + getCollectorDeps + collect, as demo/demo.ts wires them, from a fresh module registry: runtime.ts
 * keeps caches, counter baselines, graph-definition times and the retry queue at module scope, so a fresh
 * require is a cold start.
 */
export function startInProcessCollector(env: Readonly<Record<string, string>>): InProcessCollector {
  return startCollector(env);
}

/** A cold-started collector (one warm container) whose dependencies a test may replace. */
export interface Collector extends InProcessCollector {
  readonly deps: CollectorDeps;
  cycle(opts?: CollectOptions): Promise<CycleSummary>;
}

/**
 * A cold start (fresh registry) that also returns the dependencies and lets `override` replace some of them
 * (e.g. a service-metrics client with a short 429 back-off).
 */
export function startCollector(
  env: Readonly<Record<string, string>>,
  override: (deps: CollectorDeps) => Partial<CollectorDeps> = () => ({}),
): Collector {
  const restoreEnv = setProcessEnv(env);
  const loaded: { runtime: Runtime; config: ConfigModule; pipeline: CollectModule; log: LogModule }[] = [];
  jest.isolateModules(() => {
    /* eslint-disable @typescript-eslint/no-require-imports -- a fresh registry needs require inside isolateModules */
    loaded.push({
      runtime: require('../../src/runtime') as Runtime,
      config: require('../../src/config/config') as ConfigModule,
      pipeline: require('../../src/pipeline/collect') as CollectModule,
      log: require('../../src/log') as LogModule,
    });
    /* eslint-enable @typescript-eslint/no-require-imports */
  });
  const mods = loaded[0];
  if (!mods) throw new Error('isolateModules did not run');
  const parsed = mods.config.loadConfig(env);
  if (!parsed.ok) {
    restoreEnv();
    throw parsed.error;
  }
  const config = parsed.value;
  const logs: string[] = [];
  const logger = mods.log.createLogger({ level: 'debug', write: (line) => logs.push(line) });
  const base = mods.runtime.getCollectorDeps(config, config.mackerelApiKey, logger);
  const deps: CollectorDeps = { ...base, ...override(base) };
  return {
    config,
    deps,
    logs,
    cycle: (opts) => mods.pipeline.collect(config, deps, undefined, opts),
    close: () => {
      mods.runtime.closeCollectorDeps();
      restoreEnv();
    },
  };
}

/** Resolves after `ms` milliseconds. */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * A fresh standard simulation for each test of the enclosing `describe`, and the collectors the test starts in
 * it; both are closed after the test. Read `sim` inside a test (it is replaced before each one).
 */
export function simulationPerTest(): { readonly sim: Simulation; start(env: Readonly<Record<string, string>>): Collector } {
  let sim: Simulation | undefined;
  const started: Collector[] = [];
  beforeEach(async () => {
    sim = await startStandardSimulation();
  });
  afterEach(async () => {
    // Last started first: each restores the environment it found.
    for (const c of started.splice(0).reverse()) c.close();
    await sim?.stop();
    sim = undefined;
  });
  return {
    get sim(): Simulation {
      if (!sim) throw new Error('simulationPerTest: sim is only there inside a test');
      return sim;
    },
    start(env) {
      const c = startCollector(env);
      started.push(c);
      return c;
    },
  };
}
