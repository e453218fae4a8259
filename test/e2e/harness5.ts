/**
 * Plumbing of the issue-5 end-to-end tests (refresh events, inventory, slot keys, service metrics,
 * dashboards): the refresh handler cold-started in-process, event files, and readers of what the Mackerel
 * receiver holds. The CLI and the in-process collector come from harness.ts.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Context } from 'aws-lambda';
import { standardScenario, startSimulation, type SimTask, type SimTaskEvent, type Simulation, type TaskSpec } from '../../sim';
import { INVENTORY_NAMESPACE, parseInventory, type Inventory } from '../../src/inventory/model';
import { lambdaContext } from '../handler/lambdaContext';
import { E2E_API_KEY, setProcessEnv } from './harness';

export { startCollector, type Collector } from './harness';

/** The `api` task of the standard scenario (gostats, bridge, instance #0, "::" binding, envoy sidecar). */
export function apiSpec(): TaskSpec {
  const spec = standardScenario().clusters[0]?.tasks.find((t) => t.family === 'api');
  if (!spec) throw new Error('the standard scenario has no api task');
  return spec;
}

/**
 * A small cluster `prod` without slow targets, for tests that run many cycles: two api tasks on instance #0
 * (127.0.1.1) and the plugin-text worker (host mode) on #1 (127.0.1.2). Ports are OS-picked, so parallel
 * jest workers can each run it.
 */
export function startSmallSimulation(): Promise<Simulation> {
  const worker = standardScenario().clusters[0]?.tasks.find((t) => t.family === 'worker');
  if (!worker) throw new Error('the standard scenario has no worker task');
  return startSimulation({
    apiKey: E2E_API_KEY,
    clusters: [
      {
        name: 'prod',
        instances: [{ address: '127.0.1.1' }, { address: '127.0.1.2' }],
        tasks: [apiSpec(), apiSpec(), worker],
      },
    ],
  });
}

/** The event of a task with the given lastStatus, from the simulated EventBridge source. */
export function eventOf(sim: Simulation, task: SimTask, lastStatus: 'RUNNING' | 'STOPPED'): SimTaskEvent {
  const event = sim.events().find((e) => e.detail.taskArn === task.arn && e.detail.lastStatus === lastStatus);
  if (!event) throw new Error(`no ${lastStatus} event for task ${task.id}`);
  return event;
}

/** The `ecs-tasks` inventory the receiver holds for a host, parsed; undefined when none was written. */
export function inventoryOf(sim: Simulation, hostId: string): Inventory | undefined {
  const raw = sim.receiver.metadata(hostId, INVENTORY_NAMESPACE);
  if (raw === undefined) return undefined;
  const parsed = parseInventory(raw);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
}

/** Task id → metric key, from a host's stored inventory. */
export function inventoryKeys(sim: Simulation, hostId: string): Record<string, string> {
  return Object.fromEntries((inventoryOf(sim, hostId)?.tasks ?? []).map((t) => [t.taskId, t.metricKey]));
}

/** Distinct metric names the receiver accepted for one host. */
export function namesOnHost(sim: Simulation, hostId: string): Set<string> {
  return new Set(sim.receiver.posted().filter((v) => v.hostId === hostId).map((v) => v.name));
}

/** Requests that change something in Mackerel (every method but GET: metadata, metrics, graph definitions, dashboards). */
export function writes(sim: Simulation): string[] {
  return sim.receiver
    .requests()
    .filter((r) => r.method !== 'GET')
    .map((r) => `${r.method} ${r.path}`);
}

/** What handlers/refresh.ts returns per invocation. */
export interface RefreshResult {
  readonly action: string;
  readonly targets: number;
  readonly posted: number;
  readonly failed: number;
}

/** A cold-started refresh Lambda: invoke it with EventBridge events; `logs` are its JSON log lines. */
export interface RefreshLambda {
  invoke(event: unknown, context?: Context): Promise<RefreshResult>;
  readonly logs: string[];
  /** The `refresh summary` log lines, parsed (of every lambda open at the time: they share stderr). */
  summaries(): Record<string, unknown>[];
  close(): void;
}

type RefreshHandlerModule = typeof import('../../handlers/refresh');

/** Log sinks of the open lambdas; stderr is replaced while there is at least one. */
const stderrTaps = new Set<string[]>();
let stderrSpy: jest.SpyInstance | undefined;

/**
 * Copies each JSON line written to stderr into `sink` (every open lambda gets every line: they share the
 * process's stderr) and keeps it off the test output. Returns the function that stops it.
 */
function tapStderr(sink: string[]): () => void {
  stderrTaps.add(sink);
  stderrSpy ??= jest.spyOn(process.stderr, 'write').mockImplementation((chunk: unknown) => {
    const lines = String(chunk).split('\n').filter((l) => l.startsWith('{'));
    for (const tap of stderrTaps) tap.push(...lines);
    return true;
  });
  return () => {
    stderrTaps.delete(sink);
    if (stderrTaps.size === 0) {
      stderrSpy?.mockRestore();
      stderrSpy = undefined;
    }
  };
}

/**
 * Sets the function's environment, then loads handlers/refresh.ts in a fresh module registry (a cold start:
 * runtime.ts's caches and inventories are empty). stderr, where the function logs, is captured while open.
 */
export function startRefreshLambda(env: Readonly<Record<string, string | undefined>>): RefreshLambda {
  const restoreEnv = setProcessEnv(env);
  const logs: string[] = [];
  const untap = tapStderr(logs);
  const loaded: RefreshHandlerModule[] = [];
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a fresh registry needs require
    loaded.push(require('../../handlers/refresh') as RefreshHandlerModule);
  });
  const mod = loaded[0];
  if (!mod) throw new Error('handlers/refresh did not load');
  return {
    logs,
    invoke: async (event, context = lambdaContext(30_000)) => {
      // The middy-typed handler wants the field @middy/ssm sets; Lambda itself passes a plain Context.
      const ctx: Context & { mackerelApiKey: unknown } = Object.assign(context, { mackerelApiKey: undefined as unknown });
      return (await mod.handler(event as Parameters<RefreshHandlerModule['handler']>[0], ctx)) as RefreshResult;
    },
    summaries: () =>
      logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.message === 'refresh summary'),
    close: () => {
      untap();
      restoreEnv();
    },
  };
}

/** Writes an event to a fresh temporary file and returns its path (for `refresh --event FILE`). */
export function eventFile(event: unknown, name = 'event.json'): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'mec-event-'));
  const file = path.join(dir, name);
  writeFileSync(file, typeof event === 'string' ? event : JSON.stringify(event));
  return file;
}

