import { sanitizeNode } from '../mackerel/naming';

/**
 * Names of Mackerel service metrics (`POST /api/v0/services/{name}/tsdb`, reference/mackerel-api.md §3):
 * `ecs.<cluster>.<group>.tasks.running` and `ecs.<cluster>.<group>.<prefix>.<graph>.<metric>.sum|avg`.
 * Built here and only here, so the aggregation and the dashboards name the same series. Host metric names
 * stay in src/mackerel/naming.ts; its node rule (`[-a-zA-Z0-9_]`) is reused for every node.
 */

/** First node of every service metric name this collector posts. */
export const SERVICE_METRIC_ROOT = 'ecs';
/**
 * Group node of tasks started without a service (RunTask, scheduled tasks): `family-<family>`. Such tasks
 * would otherwise be invisible at service level, and a Fargate task's metrics are posted nowhere else.
 * A real ECS service literally named `family-<x>` would share the node; ECS allows it, nobody does it.
 */
export const STANDALONE_GROUP_PREFIX = 'family-';
/** Service names Mackerel accepts (reference §3). */
export const MACKEREL_SERVICE_NAME = /^[A-Za-z0-9_-]{2,63}$/;
/** Service metric names (API docs, service-metrics: `[a-zA-Z0-9._-]+`). */
export const SERVICE_METRIC_NAME = /^[a-zA-Z0-9._-]+$/;

const CLUSTER_ARN = /^arn:[^:]+:ecs:[^:]*:[^:]*:cluster\/(.+)$/;

/** The cluster name of a cluster ARN (`arn:aws:ecs:…:cluster/prod` → `prod`); a plain name is returned as is. */
export function clusterName(clusterOrArn: string): string {
  return CLUSTER_ARN.exec(clusterOrArn)?.[1] ?? clusterOrArn;
}

/** The group a task is counted under: its ECS service, else `family-<family>` for a standalone task. */
export function serviceGroup(task: { readonly service?: string; readonly family: string }): string {
  return task.service !== undefined && task.service !== '' ? task.service : `${STANDALONE_GROUP_PREFIX}${task.family}`;
}

/** Sanitised nodes of a dotted part; undefined when a node is empty (cannot be repaired). */
function nodes(part: string): string[] | undefined {
  const out = part.split('.').map(sanitizeNode);
  return out.some((n) => n === '') ? undefined : out;
}

/** `ecs.<cluster>.<group>`: cluster and group are one node each. Undefined when one is empty. */
export function serviceMetricBase(cluster: string, group: string): string | undefined {
  const c = sanitizeNode(clusterName(cluster));
  const g = sanitizeNode(group);
  return c === '' || g === '' ? undefined : `${SERVICE_METRIC_ROOT}.${c}.${g}`;
}

/** `<base>.tasks.running`: the count of RUNNING tasks of the group. */
export function runningTasksName(base: string): string {
  return `${base}.tasks.running`;
}

/**
 * `<base>.<prefix>.<graph>.<metric>` without the final `.sum`/`.avg`: Mackerel draws the names that share
 * everything up to the last dot as one graph, so sum and avg of a metric land in one graph of this name.
 * `prefix` and `graph` may hold dots. Undefined when a node would be empty.
 */
export function aggregateGraphName(base: string, prefix: string, graph: string, metric: string): string | undefined {
  const p = nodes(prefix);
  const g = nodes(graph);
  const m = sanitizeNode(metric);
  if (p === undefined || g === undefined || m === '') return undefined;
  return [base, ...p, ...g, m].join('.');
}
