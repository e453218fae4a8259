/**
 * One cold-started Lambda container in this process, driven through the real scheduled path
 * (src/lambda/scheduled.ts runScheduledCycle, with a Lambda-like context whose deadline fires) or, for
 * scenarios that need to replace a dependency (a short retry back-off so that a 30-cycle outage takes
 * seconds, a smaller queue), through collect() with those deps, logging the summary the same way. The
 * function logs to stderr, which is captured per cycle.
 */
import { performance } from 'node:perf_hooks';
import type { CollectorDeps, CycleSummary } from '../../src/pipeline/collect';
import type { RefreshSummary } from '../../src/pipeline/refresh';
import { coldStart, type ColdModules } from './fresh';

/** What one invocation did. */
export interface Invocation {
  readonly summary?: CycleSummary;
  readonly error?: unknown;
  /** The `cycle summary` line the function logged, parsed; undefined when none was. */
  readonly logged?: Record<string, unknown>;
  readonly logs: readonly string[];
  readonly wallMs: number;
}

/** Options of {@link startLambda}. */
export interface LambdaOptions {
  /** Replaces some dependencies (the cycle then runs through collect() with them). */
  readonly override?: (deps: CollectorDeps, mods: ColdModules) => Partial<CollectorDeps>;
}

/** A warm container. */
export interface FaultLambda {
  readonly mods: ColdModules;
  /** One scheduled invocation; `remainingMs` is what the Lambda context reports (default 60 s). */
  cycle(remainingMs?: number): Promise<Invocation>;
  /** One ECS Task State Change event through src/lambda/refreshEvent.ts. */
  refresh(event: unknown): Promise<{ summary?: RefreshSummary; error?: unknown }>;
  /** The deps the cycles use (override mode), for reading state. */
  deps(): CollectorDeps;
  close(): void;
}

let stderrSinks: string[][] = [];
const realWrite = process.stderr.write.bind(process.stderr);

/** Captures the JSON lines written to stderr into `sink` until the returned function is called. */
function tapStderr(sink: string[]): () => void {
  stderrSinks.push(sink);
  if (stderrSinks.length === 1) {
    process.stderr.write = ((chunk: unknown) => {
      for (const line of String(chunk).split('\n')) if (line.startsWith('{')) for (const s of stderrSinks) s.push(line);
      return true;
    }) as typeof process.stderr.write;
  }
  return () => {
    stderrSinks = stderrSinks.filter((s) => s !== sink);
    if (stderrSinks.length === 0) process.stderr.write = realWrite;
  };
}

/** Sets `vars` in process.env (the SDK reads its endpoints there, as in Lambda); returns the restorer. */
function setEnv(vars: Readonly<Record<string, string>>): () => void {
  const previous = new Map(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  return () => {
    for (const [k, v] of previous) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}

const parse = (line: string): Record<string, unknown> | undefined => {
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
};

/** Cold-starts a container with `env` (kept in process.env until close). */
export function startLambda(env: Readonly<Record<string, string>>, opts: LambdaOptions = {}): FaultLambda {
  const restoreEnv = setEnv(env);
  const mods = coldStart();
  const config = mods.config.loadConfig(env);
  let overridden: CollectorDeps | undefined;
  const depsFor = (): CollectorDeps => {
    if (!config.ok) throw config.error;
    if (overridden) return overridden;
    const base = mods.runtime.getCollectorDeps(config.value, config.value.mackerelApiKey);
    overridden = { ...base, ...opts.override?.(base, mods) };
    return overridden;
  };
  let requests = 0;
  const context = (remainingMs: number) => {
    const deadline = Date.now() + remainingMs;
    return { getRemainingTimeInMillis: () => deadline - Date.now(), awsRequestId: `fault-${++requests}` };
  };

  const viaCollect = async (remainingMs: number): Promise<CycleSummary> => {
    const deps = depsFor();
    if (!config.ok) throw config.error;
    const collectMod = mods.collect as typeof mods.collect & { summaryOfError?: (e: unknown) => CycleSummary | undefined };
    try {
      const summary = await collectMod.collect(config.value, deps, mods.scheduled.deadlineSignal(context(remainingMs)));
      deps.logger.info('cycle summary', collectMod.summaryLogFields(summary));
      return summary;
    } catch (e) {
      const partial = collectMod.summaryOfError?.(e);
      if (partial) deps.logger.error('cycle summary', collectMod.summaryLogFields(partial));
      throw e;
    }
  };

  return {
    mods,
    cycle: async (remainingMs = 60_000) => {
      const logs: string[] = [];
      const untap = tapStderr(logs);
      const t0 = performance.now();
      let summary: CycleSummary | undefined;
      let error: unknown;
      try {
        summary = opts.override ? await viaCollect(remainingMs) : await mods.scheduled.runScheduledCycle(config, context(remainingMs));
      } catch (e) {
        error = e;
      } finally {
        untap();
      }
      const logged = logs.map(parse).filter((l) => l?.message === 'cycle summary').at(-1);
      return { summary, error, logged, logs, wallMs: Math.round(performance.now() - t0) };
    },
    refresh: async (event) => {
      const logs: string[] = [];
      const untap = tapStderr(logs);
      try {
        return { summary: await mods.refresh.runRefreshEvent(config, event, context(30_000)) };
      } catch (e) {
        return { error: e };
      } finally {
        untap();
      }
    },
    deps: depsFor,
    close: () => {
      mods.runtime.closeCollectorDeps();
      restoreEnv();
    },
  };
}
