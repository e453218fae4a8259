/**
 * How many metric names one host accumulates over a day of rolling deployments under each METRIC_KEY.
 * Mackerel bills per metric name on a host beyond the 200 a standard host includes (reference §11), and a
 * name that has posted once keeps counting for a while, so names that change with each deployment cost money.
 * Pure: the figures in the README come from replaying the day through the real key functions.
 */
import { metricKey, metricName } from '../mackerel/naming';
import type { InventoryContainer, ObservedTask } from './model';
import { emptyInventory, type Inventory } from './model';
import { observeTasks } from './merge';

/** Linux `ip_local_port_range` default, which ECS uses for dynamic host ports (PortMapping.hostPort docs). */
export const EPHEMERAL_PORT_FIRST = 32768;
export const EPHEMERAL_PORT_LAST = 60999;
const DAY_MS = 24 * 3600_000;
/** Time between starting the new tasks of a deployment and stopping the old ones. */
const ROLLOUT_MS = 5 * 60_000;

/** The day to replay. */
export interface NameCountOptions {
  readonly deploymentsPerDay: number;
  /** Tasks of the service on the host at any time outside a rollout. */
  readonly tasksPerServicePerHost: number;
  /** Metric names each task posts (graph × metric). */
  readonly metricsPerTask: number;
  readonly mode: 'task' | 'port' | 'slot';
}

/** What the host accumulated. */
export interface NameCount {
  /** Distinct `custom.*` names posted to the host during the day. */
  readonly distinctNames: number;
  /** Distinct `<key>` nodes among them. */
  readonly distinctKeys: number;
}

interface SimTask {
  readonly observed: ObservedTask;
  readonly port: number;
}

/**
 * Replays one service on one host: it starts with `tasksPerServicePerHost` tasks; each deployment starts as
 * many new tasks (fresh ids, the next free dynamic ports, as Docker's allocator hands them out) before the old
 * ones stop (ECS's default maximumPercent 200), and the inventory sees both phases as the scheduled cycle would.
 */
export function simulateNameCount(opts: NameCountOptions): NameCount {
  const names = new Set<string>();
  const keys = new Set<string>();
  let inventory: Inventory = emptyInventory(new Date(0));
  let nextTask = 0;
  let nextPort = EPHEMERAL_PORT_FIRST;
  const launch = (count: number): SimTask[] =>
    Array.from({ length: count }, () => {
      const port = nextPort;
      nextPort = nextPort >= EPHEMERAL_PORT_LAST ? EPHEMERAL_PORT_FIRST : nextPort + 1;
      return { observed: observedTask(nextTask++, port), port };
    });
  const post = (live: readonly SimTask[], at: Date): void => {
    const merged = observeTasks(inventory, live.map((t) => t.observed), at, { complete: true });
    inventory = merged.inventory;
    for (const t of live) {
      const slotEntry = inventory.tasks.find((e) => e.taskArn === t.observed.taskArn);
      const key = opts.mode === 'slot' ? slotEntry?.metricKey : metricKey({ ...t.observed, port: t.port }, opts.mode);
      if (key === undefined) continue;
      keys.add(key);
      for (let m = 0; m < opts.metricsPerTask; m++) {
        const name = metricName('gostats', key, { graph: 'runtime', metric: `m${m}` });
        if (name.ok) names.add(name.value);
      }
    }
  };

  let live = launch(opts.tasksPerServicePerHost);
  post(live, new Date(0));
  const everyMs = DAY_MS / Math.max(1, opts.deploymentsPerDay);
  // Each rollout ends before the next starts, so time only moves forward.
  const rolloutMs = Math.min(ROLLOUT_MS, everyMs / 2);
  for (let d = 0; d < opts.deploymentsPerDay; d++) {
    const fresh = launch(opts.tasksPerServicePerHost);
    post([...live, ...fresh], new Date(d * everyMs + 1));
    live = fresh;
    post(live, new Date(d * everyMs + 1 + rolloutMs));
  }
  return { distinctNames: names.size, distinctKeys: keys.size };
}

/** Task n of the replay: a 32-hex id whose first 8 characters differ for every n (odd multiplier mod 2^32). */
function observedTask(n: number, hostPort: number): ObservedTask {
  const taskId = (Math.imul(n + 1, 0x9e3779b1) >>> 0).toString(16).padStart(8, '0') + n.toString(16).padStart(24, '0');
  const container: InventoryContainer = { name: 'app', containerPort: 8080, hostPort, format: 'gostats', prefix: 'gostats' };
  return {
    taskArn: `arn:aws:ecs:us-east-1:123456789012:task/demo/${taskId}`,
    taskId,
    cluster: 'demo',
    service: 'api',
    family: 'api',
    revision: 1,
    containers: [container],
  };
}
