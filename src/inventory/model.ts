/**
 * The task inventory: one JSON document per EC2 instance, stored as Mackerel host metadata (reference
 * mackerel-api.md §6) so that users see on the host page which task is which line, and so that slot keys
 * survive a cold start. The collector keeps no other state.
 */
import { z } from 'zod';
import { err, ok, type Result } from '../result';
import type { MetricFormat } from '../types';

/** Host metadata namespace of the inventory (`[-a-zA-Z0-9_]+`, not starting with the reserved `mackerel`). */
export const INVENTORY_NAMESPACE = 'ecs-tasks';
/** Version of the document's shape; bumped on an incompatible change. */
export const INVENTORY_SCHEMA = 1;

/** One scraped endpoint of a task, as shown on the host page. */
export interface InventoryContainer {
  readonly name: string;
  readonly containerPort: number;
  /** The dynamic host port (bridge) or the container port (host); absent for awsvpc. */
  readonly hostPort?: number;
  readonly format: MetricFormat;
  readonly prefix: string;
}

/** A task running on the host, with the `<key>` node its metric names carry. */
export interface InventoryTask {
  readonly taskArn: string;
  readonly taskId: string;
  readonly cluster: string;
  readonly service?: string;
  readonly family: string;
  readonly revision: number;
  readonly containers: readonly InventoryContainer[];
  /** The `<key>` node of the task's metric names (under METRIC_KEY=slot, `<service>-<slot>`). */
  readonly metricKey: string;
  /** Smallest free index for the service on this host when the task first appeared; kept for its life. */
  readonly slot?: number;
  /** ISO 8601. */
  readonly firstSeen: string;
  /** ISO 8601; refreshed at a coarse granularity so that a steady state writes nothing. */
  readonly lastSeen: string;
  /** ECS `version` (event `detail.version`) last applied; events at or below it change nothing. */
  readonly version?: number;
}

/** A task recently stopped by an ECS event, kept so that a late RUNNING event cannot bring it back. */
export interface Tombstone {
  readonly taskArn: string;
  readonly version: number;
  /** ISO 8601. */
  readonly stoppedAt: string;
}

/** The document stored in namespace {@link INVENTORY_NAMESPACE}. */
export interface Inventory {
  readonly schema: typeof INVENTORY_SCHEMA;
  /** ISO 8601 time of the last change. */
  readonly updatedAt: string;
  readonly tasks: readonly InventoryTask[];
  /** Tasks left out of this document to keep it under Mackerel's 100 KB metadata limit. */
  readonly trimmed: number;
  readonly tombstones?: readonly Tombstone[];
}

/** A task as the scheduled cycle or an event sees it; the merge adds slot and timestamps. */
export interface ObservedTask {
  readonly taskArn: string;
  readonly taskId: string;
  readonly cluster: string;
  readonly service?: string;
  readonly family: string;
  readonly revision: number;
  readonly containers: readonly InventoryContainer[];
  /** The key under METRIC_KEY=task or port; leave undefined under slot and the merge stores the slot key. */
  readonly metricKey?: string;
  /** ECS task `version`, when known (DescribeTasks and events carry it). */
  readonly version?: number;
}

/** An inventory with no tasks, for a host seen for the first time or whose document could not be read. */
export function emptyInventory(now: Date): Inventory {
  return { schema: INVENTORY_SCHEMA, updatedAt: now.toISOString(), tasks: [], trimmed: 0 };
}

const FORMATS = ['gostats', 'prometheus', 'plugin'] as const satisfies readonly MetricFormat[];
const isoTime = z.iso.datetime({ offset: true });
const port = z.number().int().min(0).max(65535);
const count = z.number().int().min(0);

// Unknown keys are accepted (and dropped): a user may annotate the document, a later version may add fields.
const containerSchema = z.object({
  name: z.string(),
  containerPort: port,
  hostPort: port.optional(),
  format: z.enum(FORMATS),
  prefix: z.string(),
});
const taskSchema = z.object({
  taskArn: z.string().min(1),
  taskId: z.string(),
  cluster: z.string(),
  service: z.string().optional(),
  family: z.string(),
  revision: count,
  containers: z.array(containerSchema),
  metricKey: z.string().min(1),
  slot: z.number().int().min(1).optional(),
  firstSeen: isoTime,
  lastSeen: isoTime,
  version: count.optional(),
});
const inventorySchema = z.object({
  schema: z.literal(INVENTORY_SCHEMA),
  updatedAt: isoTime,
  tasks: z.array(taskSchema),
  trimmed: count,
  tombstones: z.array(z.object({ taskArn: z.string().min(1), version: count, stoppedAt: isoTime })).optional(),
});

/**
 * Reads a stored document. A wrong type anywhere gives the reason (path and problem) instead of an
 * exception, so that a corrupt or hand-edited document costs one report, not the cycle: the caller starts
 * from {@link emptyInventory}.
 */
export function parseInventory(json: unknown): Result<Inventory, string> {
  const parsed = inventorySchema.safeParse(json);
  if (parsed.success) return ok(parsed.data);
  const issue = parsed.error.issues[0];
  const where = issue === undefined || issue.path.length === 0 ? 'document' : issue.path.map(String).join('.');
  return err(`invalid ${INVENTORY_NAMESPACE} inventory at ${where}: ${issue?.message ?? 'unknown problem'}`);
}
