/**
 * Pure parsing of EventBridge "ECS Task State Change" events (reference/ecs-api.md §4). The `detail` mirrors
 * DescribeTasks' Task (timestamps as ISO strings, ENI attachment type `eni`), so it is normalised into the SDK
 * Task shape and mapped by the same `mapTask` as DescribeTasks output: one mapping path, the same deduplication
 * of bindings on `hostPort` and the same ENI address rule. Events are delivered at least once and roughly in
 * order; `detail.version` rises with every change of the task, so callers compare it to drop duplicates
 * (same version) and stale events (older version).
 */
import type { Task } from '@aws-sdk/client-ecs';
import { arnId, mapTaskReporting } from '../discovery/ecsMapping';
import type { EcsTask } from '../discovery/model';
import { err, ok, type Result } from '../result';
import type { Issue } from '../types';

/** EventBridge `source` of ECS events. */
export const ECS_EVENT_SOURCE = 'aws.ecs';
/** EventBridge `detail-type` of task state changes (container instance changes use another one). */
export const TASK_STATE_CHANGE = 'ECS Task State Change';

/** What a state change means for the collector. */
export type TaskChangeKind = 'running' | 'stopped' | 'other';

/** One parsed task state change. */
export interface TaskStateChange {
  /** EventBridge event id: a redelivery keeps it, a duplicate emitted by ECS does not (compare `version`). */
  readonly id: string;
  /** Event time as sent (ISO 8601); empty when absent. */
  readonly time: string;
  /** From the event, else from the task ARN. */
  readonly region: string;
  /** From the event, else from the task ARN. */
  readonly account: string;
  readonly clusterArn: string;
  /** Cluster name: the last segment of `clusterArn`. */
  readonly cluster: string;
  readonly taskArn: string;
  readonly taskId: string;
  /** `detail.version`: rises per change of the task; equal means duplicate, lower means stale. */
  readonly version: number;
  readonly lastStatus: string;
  /** Equals `lastStatus` when the event omits it (no documented event does). */
  readonly desiredStatus: string;
  readonly kind: TaskChangeKind;
  /** The task as DescribeTasks would have given it (no tags: events do not carry them). */
  readonly task: EcsTask;
  readonly taskDefinitionArn: string;
  /** STOPPED events only, e.g. "Essential container in task exited". */
  readonly stoppedReason?: string;
  /** STOPPED events only, e.g. `UserInitiated`, `EssentialContainerExited`. */
  readonly stopCode?: string;
  /** What the mapping left out of `task` and why (network bindings whose ports are not 1..65535); absent when nothing. */
  readonly skipped?: readonly Issue[];
}

type Json = Readonly<Record<string, unknown>>;

const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
/** The objects of a JSON array; anything else (absent, null, a scalar) counts as empty. */
const records = (v: unknown): Json[] => (Array.isArray(v) ? v.filter(isRecord) : []);

function describe(v: unknown): string {
  if (v === undefined) return 'absent';
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * How a change is handled. A RUNNING task whose desired status is STOPPED is draining: ECS emits such events
 * when StopTask is called or a container changes state during shutdown. Treating it as a removal is a design
 * inference (reference §4 and issue 5), not documented behaviour; a later STOPPED event then changes nothing.
 */
export function changeKind(lastStatus: string, desiredStatus: string): TaskChangeKind {
  if (lastStatus === 'STOPPED') return 'stopped';
  if (lastStatus === 'RUNNING') return desiredStatus === 'STOPPED' ? 'stopped' : desiredStatus === 'RUNNING' ? 'running' : 'other';
  // PROVISIONING, PENDING, ACTIVATING, DEACTIVATING, STOPPING, DEPROVISIONING: nothing to scrape or retire yet.
  return 'other';
}

/**
 * The detail in the SDK Task shape, keeping only what `mapTask` reads and only values of the right JSON type:
 * malformed parts (a string where an array belongs, a binding without numbers) drop out instead of throwing.
 * Containers without a name are dropped too: no target can match them.
 */
function toSdkTask(d: Json, taskArn: string, clusterArn: string): Task {
  return {
    taskArn,
    clusterArn,
    taskDefinitionArn: str(d.taskDefinitionArn),
    containerInstanceArn: str(d.containerInstanceArn),
    lastStatus: str(d.lastStatus),
    desiredStatus: str(d.desiredStatus),
    // A string only; mapTask rejects launch types it does not know.
    launchType: str(d.launchType) as Task['launchType'],
    group: str(d.group),
    tags: records(d.tags).map((t) => ({ key: str(t.key), value: typeof t.value === 'string' ? t.value : undefined })),
    containers: records(d.containers).flatMap((c) => {
      const name = str(c.name);
      if (!name) return [];
      return [
        {
          name,
          networkBindings: records(c.networkBindings).map((b) => ({ containerPort: num(b.containerPort), hostPort: num(b.hostPort) })),
          networkInterfaces: records(c.networkInterfaces).map((n) => ({ privateIpv4Address: str(n.privateIpv4Address) })),
        },
      ];
    }),
    attachments: records(d.attachments).map((a) => ({
      type: str(a.type),
      details: records(a.details).map((x) => ({ name: str(x.name), value: str(x.value) })),
    })),
  };
}

/** `arn:partition:service:region:account:resource` → region and account, or empty strings. */
function arnParts(arn: string): { region: string; account: string } {
  const parts = arn.split(':');
  return { region: parts[3] ?? '', account: parts[4] ?? '' };
}

/**
 * Parses one EventBridge event as an ECS Task State Change. Rejects, with a message naming the field, what
 * is not such an event or lacks what the collector keys on (taskArn, clusterArn, version) or what the task
 * model requires (taskDefinitionArn, lastStatus, launchType or a container instance). Unknown fields and
 * malformed optional parts are ignored (AWS says events may gain fields).
 */
export function parseTaskStateChange(event: unknown): Result<TaskStateChange, string> {
  if (!isRecord(event)) return err(`event is not a JSON object (got ${Array.isArray(event) ? 'an array' : describe(event)})`);
  if (event.source !== ECS_EVENT_SOURCE) return err(`event source is ${describe(event.source)}, expected "${ECS_EVENT_SOURCE}"`);
  if (event['detail-type'] !== TASK_STATE_CHANGE) {
    return err(`event detail-type is ${describe(event['detail-type'])}, expected "${TASK_STATE_CHANGE}"`);
  }
  const d = event.detail;
  if (!isRecord(d)) return err(`${TASK_STATE_CHANGE} event has no detail object (got ${describe(d)})`);
  const taskArn = str(d.taskArn);
  if (!taskArn) return err(`${TASK_STATE_CHANGE} event has no detail.taskArn (got ${describe(d.taskArn)})`);
  const fail = (what: string): Result<never, string> => err(`${TASK_STATE_CHANGE} event for ${taskArn} ${what}`);
  const clusterArn = str(d.clusterArn);
  if (!clusterArn) return fail(`has no detail.clusterArn (got ${describe(d.clusterArn)})`);
  const version = d.version;
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 0) {
    return fail(`has no valid detail.version (a non-negative integer; got ${describe(version)})`);
  }
  const taskDefinitionArn = str(d.taskDefinitionArn);
  if (!taskDefinitionArn) return fail(`has no detail.taskDefinitionArn (got ${describe(d.taskDefinitionArn)})`);
  const lastStatus = str(d.lastStatus);
  if (!lastStatus) return fail(`has no detail.lastStatus (got ${describe(d.lastStatus)})`);
  if (!str(d.launchType) && !str(d.containerInstanceArn)) return fail('has neither detail.launchType nor detail.containerInstanceArn');
  const mapped = mapTaskReporting(toSdkTask(d, taskArn, clusterArn));
  // mapTask speaks of DescribeTasks; after the checks above only an unknown launchType can get here.
  if (!mapped.ok) return fail(`has an unusable detail: ${mapped.error.reason.replace(/^DescribeTasks returned /, '')}`);
  const desiredStatus = str(d.desiredStatus) ?? lastStatus;
  const fromArn = arnParts(taskArn);
  const stoppedReason = str(d.stoppedReason);
  const stopCode = str(d.stopCode);
  const { task, skipped } = mapped.value;
  return ok({
    id: str(event.id) ?? '',
    time: str(event.time) ?? '',
    region: str(event.region) ?? fromArn.region,
    account: str(event.account) ?? fromArn.account,
    clusterArn,
    cluster: arnId(clusterArn),
    taskArn,
    taskId: arnId(taskArn),
    version,
    lastStatus,
    desiredStatus,
    kind: changeKind(lastStatus, desiredStatus),
    task,
    taskDefinitionArn,
    ...(stoppedReason ? { stoppedReason } : {}),
    ...(stopCode ? { stopCode } : {}),
    ...(skipped.length > 0 ? { skipped } : {}),
  });
}

/**
 * The entry of ECS_CLUSTERS a change belongs to, or why none. An entry is a cluster ARN
 * (`arn:aws:ecs:REGION:ACCOUNT:cluster/NAME`) or a bare name:
 * - an ARN matches only the same ARN, so a same-named cluster in another account or Region is refused, with a
 *   reason naming both ARNs;
 * - a bare name matches the cluster NAME alone, in whatever account and Region the event comes from (the
 *   collector does not know its own account): use ARNs when events of other accounts can reach the function,
 *   e.g. through a shared or cross-account event bus.
 * Either way, an event whose envelope `account` or `region` contradicts its `clusterArn` is refused: EventBridge
 * sets the envelope, so such an event was not emitted by ECS for that cluster. Entries are tried in order.
 */
export function matchCluster(
  change: Pick<TaskStateChange, 'cluster' | 'clusterArn' | 'account' | 'region'>,
  clusters: readonly string[],
): Result<string, string> {
  const fromArn = arnParts(change.clusterArn);
  for (const [field, claimed, actual] of [['account', change.account, fromArn.account], ['region', change.region, fromArn.region]] as const) {
    if (claimed !== actual) return err(`event ${field} "${claimed}" is not the ${field} of its cluster ${change.clusterArn}`);
  }
  const found = clusters.find((c) => (c.startsWith('arn:') ? c === change.clusterArn : c === change.cluster));
  if (found !== undefined) return ok(found);
  const sameName = clusters.filter((c) => c.startsWith('arn:') && arnId(c) === change.cluster);
  if (sameName.length > 0) {
    return err(`cluster ${change.clusterArn} (account ${fromArn.account}, Region ${fromArn.region}) is not ${sameName.join(' or ')} of ECS_CLUSTERS`);
  }
  return err(`cluster ${change.cluster} is not in ECS_CLUSTERS`);
}

/** Whether a change belongs to one of the configured clusters (see {@link matchCluster}). An empty list matches nothing. */
export function isForClusters(change: Pick<TaskStateChange, 'cluster' | 'clusterArn' | 'account' | 'region'>, clusters: readonly string[]): boolean {
  return matchCluster(change, clusters).ok;
}
