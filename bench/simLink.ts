/**
 * The child's handle on the simulator: either its own (`--sim same`: one process, as the demo and the tests
 * run) or the one in the benchmark's main process (`--sim separate`, the default), reached over the IPC channel.
 * Separate is closer to production, where the targets, AWS and Mackerel are other machines: the simulator's
 * CPU (rendering 10,000 bodies, validating posts) then runs on the other core and is not counted in the
 * collector's wall time, CPU or RSS.
 */
import { generatedScenario, startSimulation, type Simulation, type SimulationOptions } from '../sim';
import { startLatencyProxy } from './latencyProxy';
import type { ChildJob, ChildMessage, MainReply, SimCounters } from './protocol';
import { readSimCounters, resetSimCounters } from './protocol';

/** Endpoint kinds of the generated services, in turn: gostats mostly, some Prometheus, some plugin text. */
export const BENCH_KINDS = ['gostats', 'prometheus', 'gostats', 'plugin'] as const;

/** The part of the simulator a cycle measurement needs. */
export interface SimLink {
  /** The collector's environment (AWS endpoints, Mackerel base and key, ECS_CLUSTERS, ALLOWED_CIDRS). */
  readonly env: Readonly<Record<string, string>>;
  readonly instances: number;
  reset(): Promise<void>;
  counters(): Promise<SimCounters>;
  stop(): Promise<void>;
}

/** The scenario every run uses, in whichever process the simulator lives. */
export function benchScenario(job: ChildJob): SimulationOptions {
  return generatedScenario(job.size, {
    tasksPerInstance: job.tasksPerInstance,
    kinds: BENCH_KINDS,
    awsLatencyMs: job.awsLatencyMs,
    targetLatencyMs: job.targetLatencyMs,
  });
}

/** A started simulator with the collector's environment (Mackerel behind the latency proxy if asked). */
export interface BenchSim {
  readonly sim: Simulation;
  readonly env: Readonly<Record<string, string>>;
  stop(): Promise<void>;
}

/** Starts the simulator of a job, and the Mackerel latency proxy when `mackerelLatencyMs` > 0. */
export async function startBenchSim(job: ChildJob): Promise<BenchSim> {
  const sim = await startSimulation(benchScenario(job));
  const base = sim.env.MACKEREL_API_BASE;
  if (job.mackerelLatencyMs <= 0 || base === undefined) return { sim, env: sim.env, stop: () => sim.stop() };
  try {
    const proxy = await startLatencyProxy(base, job.mackerelLatencyMs);
    const stop = async (): Promise<void> => {
      await proxy.close();
      await sim.stop();
    };
    return { sim, env: { ...sim.env, MACKEREL_API_BASE: proxy.url }, stop };
  } catch (e) {
    await sim.stop();
    throw e;
  }
}

/** Starts a simulator inside this process. */
export async function startLocalSim(job: ChildJob): Promise<SimLink> {
  const { sim, env, stop } = await startBenchSim(job);
  return {
    env,
    instances: sim.instances().length,
    reset: async () => resetSimCounters(sim),
    counters: async () => readSimCounters(sim),
    stop,
  };
}

/** Talks to the simulator of the main process; its env arrives in BENCH_SIM_ENV. */
export function remoteSim(job: ChildJob): SimLink {
  const raw = process.env.BENCH_SIM_ENV;
  if (raw === undefined) throw new Error('BENCH_SIM_ENV is not set: the child must be started by bench/cycle.bench.ts');
  const env = JSON.parse(raw) as Record<string, string>;
  const pending = new Map<number, (reply: MainReply) => void>();
  let nextId = 1;
  const onReply = (m: unknown): void => {
    const reply = m as MainReply;
    pending.get(reply.id)?.(reply);
    pending.delete(reply.id);
  };
  process.on('message', onReply);
  const ask = (type: 'reset' | 'counters'): Promise<MainReply> =>
    new Promise((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      const message: ChildMessage = { type, id };
      process.send?.(message);
    });
  return {
    env,
    instances: Math.ceil(job.size / job.tasksPerInstance),
    reset: async () => void (await ask('reset')),
    counters: async () => {
      const reply = await ask('counters');
      if (!reply.counters) throw new Error('main process sent no counters');
      return reply.counters;
    },
    stop: async () => void process.off('message', onReply),
  };
}
