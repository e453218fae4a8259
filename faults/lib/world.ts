/**
 * The simulator with fault proxies in front of the Mackerel receiver (always) and, when asked, of the ECS and
 * SSM endpoints: the collector's environment points at the proxies, so every fault is injected on the wire.
 */
import { standardScenario, startSimulation, type ClusterSpec, type SimTask, type Simulation, type TaskSpec } from '../../sim';
import { startFaultProxy, type FaultProxy } from '../../sim/faultProxy';

/** A running world; `close()` stops everything it started. */
export interface World {
  readonly sim: Simulation;
  /** In front of the Mackerel receiver. */
  readonly mackerel: FaultProxy;
  readonly ecs?: FaultProxy;
  readonly ssm?: FaultProxy;
  /** The collector's environment. */
  readonly env: Record<string, string>;
  /** The Mackerel host id of the instance a task runs on. */
  hostIdOf(task: SimTask): string;
  close(): Promise<void>;
}

/** Options of {@link startWorld}. */
export interface WorldOptions {
  readonly clusters?: readonly ClusterSpec[];
  readonly proxyEcs?: boolean;
  readonly proxySsm?: boolean;
  readonly env?: Readonly<Record<string, string>>;
}

/** A task spec of the standard scenario by family (api: gostats bridge; web: prometheus bridge; …). */
export function standardSpec(family: string): TaskSpec {
  const spec = standardScenario().clusters[0]?.tasks.find((t) => t.family === family);
  if (!spec) throw new Error(`the standard scenario has no ${family} task`);
  return spec;
}

/**
 * Cluster `prod`: two gostats `api` tasks on instance #0 (127.0.1.1) and the Prometheus `web` task on #1
 * (127.0.1.2), each instance with a Mackerel host. Healthy and fast: the base of every multi-cycle scenario.
 */
export function smallCluster(extraTasks: readonly TaskSpec[] = []): ClusterSpec {
  const api = { ...standardSpec('api'), sidecar: false };
  return {
    name: 'prod',
    instances: [{ address: '127.0.1.1' }, { address: '127.0.1.2' }],
    tasks: [api, api, { ...standardSpec('web'), instance: 1 }, ...extraTasks],
  };
}

/** Starts the simulation and the proxies. */
export async function startWorld(opts: WorldOptions = {}): Promise<World> {
  const sim = await startSimulation({ clusters: opts.clusters ?? [smallCluster()] });
  const closers: (() => Promise<void>)[] = [() => sim.stop()];
  try {
    const mackerel = await startFaultProxy(sim.receiver.url);
    closers.push(() => mackerel.close());
    const ecs = opts.proxyEcs ? await startFaultProxy(sim.env.AWS_ENDPOINT_URL_ECS ?? '') : undefined;
    if (ecs) closers.push(() => ecs.close());
    const ssm = opts.proxySsm ? await startFaultProxy(sim.env.AWS_ENDPOINT_URL_SSM ?? '') : undefined;
    if (ssm) closers.push(() => ssm.close());
    const env: Record<string, string> = {
      ...sim.env,
      MACKEREL_API_BASE: mackerel.url,
      SCRAPE_TIMEOUT_MS: '1000',
      ...(ecs ? { AWS_ENDPOINT_URL_ECS: ecs.url } : {}),
      ...(ssm ? { AWS_ENDPOINT_URL_SSM: ssm.url } : {}),
      ...opts.env,
    };
    return {
      sim,
      mackerel,
      ecs,
      ssm,
      env,
      hostIdOf: (task) => {
        const host = sim.receiver.hostByInstance(task.instanceId ?? '');
        if (!host) throw new Error(`task ${task.family} has no Mackerel host`);
        return host.id;
      },
      close: async () => {
        for (const c of closers.reverse()) await c();
      },
    };
  } catch (e) {
    await sim.stop();
    throw e;
  }
}
