/**
 * The simulated EventBridge source: the "ECS Task State Change" events AWS would deliver for the simulated
 * tasks (reference/ecs-api.md §4, AWS "Amazon ECS events"). The detail is the task exactly as the simulated
 * DescribeTasks returns it at that moment, converted the way AWS documents the difference: timestamps as ISO
 * strings, ENI attachment type `eni` instead of `ElasticNetworkInterface`, no tags. Its `version` is the
 * DescribeTasks `version` (2 RUNNING, 4 STOPPED; 3 is left for the draining event), so an event can be
 * compared with the API as AWS suggests. Delivery quirks (duplicates, stale versions, draining) are helpers.
 */
import { randomUUID } from 'node:crypto';
import type { SimWorld } from './cluster';
import { SIM_ACCOUNT, SIM_REGION } from './ecsShapes';
import type { SimTask } from './specs';

/** The fields of `detail` tests and the collector key on; the rest is the Task shape. */
export interface SimTaskEventDetail {
  readonly [field: string]: unknown;
  readonly taskArn: string;
  readonly clusterArn: string;
  readonly version: number;
  readonly lastStatus: string;
  readonly desiredStatus: string;
}

/** One EventBridge event as a Lambda receives it. */
export interface SimTaskEvent {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': 'ECS Task State Change';
  readonly source: 'aws.ecs';
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: SimTaskEventDetail;
}

/** Task timestamps that DescribeTasks gives as epoch seconds and events as ISO strings. */
const TIMESTAMP_FIELDS = ['createdAt', 'startedAt', 'stoppedAt', 'stoppingAt', 'executionStoppedAt', 'connectivityAt', 'pullStartedAt', 'pullStoppedAt'];

/** EventBridge `time` has whole seconds: `2024-05-01T10:00:05Z`. */
const eventTime = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

type Json = Record<string, unknown>;
const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Converts one DescribeTasks task object (parsed wire JSON) into the `detail` of its event. */
export function detailFromTask(task: Json, updatedAtMs: number): SimTaskEventDetail {
  const detail: Json = { ...task };
  for (const field of TIMESTAMP_FIELDS) {
    const v = detail[field];
    if (typeof v === 'number') detail[field] = new Date(v * 1000).toISOString();
  }
  detail.updatedAt = new Date(updatedAtMs).toISOString();
  delete detail.tags;
  if (Array.isArray(detail.attachments)) {
    detail.attachments = detail.attachments.map((a: unknown) =>
      isRecord(a) && a.type === 'ElasticNetworkInterface' ? { ...a, type: 'eni' } : a,
    );
  }
  const { taskArn, clusterArn, version, lastStatus, desiredStatus } = detail;
  if (typeof taskArn !== 'string' || typeof clusterArn !== 'string' || typeof version !== 'number') {
    throw new Error('simulated task JSON lacks taskArn, clusterArn or version');
  }
  return { ...detail, taskArn, clusterArn, version, lastStatus: String(lastStatus), desiredStatus: String(desiredStatus) };
}

/** Wraps a detail in the EventBridge envelope. */
export function envelope(detail: SimTaskEventDetail, timeMs: number, id: string = randomUUID()): SimTaskEvent {
  return {
    version: '0',
    id,
    'detail-type': 'ECS Task State Change',
    source: 'aws.ecs',
    account: SIM_ACCOUNT,
    time: eventTime(timeMs),
    region: SIM_REGION,
    resources: [detail.taskArn],
    detail,
  };
}

/** The event for a task's current state (RUNNING or STOPPED) as the world describes it now. */
export function taskStateChangeEvent(world: SimWorld, task: SimTask, timeMs: number = Date.now()): SimTaskEvent {
  const json = world.taskJson(task.cluster, task.arn, false);
  if (json === undefined) throw new Error(`unknown simulated task ${task.arn}`);
  return envelope(detailFromTask(JSON.parse(json) as Json, timeMs), timeMs);
}

/**
 * The same change delivered again. By default with a new event id, as when ECS emits a change twice (AWS:
 * "duplicate events have the same version in the detail object"); `sameId` for an EventBridge redelivery.
 */
export function duplicateEvent(event: SimTaskEvent, opts: { readonly sameId?: boolean } = {}): SimTaskEvent {
  const copy = structuredClone(event) as SimTaskEvent;
  return opts.sameId ? copy : { ...copy, id: randomUUID() };
}

/**
 * An older change of the same task arriving late: `by` versions lower (default 1) and that many seconds
 * earlier, optionally with other statuses (e.g. the RUNNING event of a task already reported STOPPED).
 */
export function olderEvent(
  event: SimTaskEvent,
  opts: { readonly by?: number; readonly lastStatus?: string; readonly desiredStatus?: string } = {},
): SimTaskEvent {
  const by = opts.by ?? 1;
  const detail: Json = { ...structuredClone(event.detail), version: event.detail.version - by };
  if (opts.lastStatus !== undefined) {
    const status = opts.lastStatus;
    detail.lastStatus = status;
    if (Array.isArray(detail.containers)) {
      detail.containers = detail.containers.map((c: unknown) => {
        if (!isRecord(c)) return c;
        const { exitCode: _exitCode, ...rest } = c;
        return status === 'STOPPED' ? { ...c, lastStatus: status } : { ...rest, lastStatus: status };
      });
    }
  }
  if (opts.desiredStatus !== undefined) detail.desiredStatus = opts.desiredStatus;
  if (detail.lastStatus !== 'STOPPED') {
    delete detail.stoppedAt;
    delete detail.stopCode;
    delete detail.stoppedReason;
  }
  const timeMs = Date.parse(event.time) - by * 1000;
  return envelope(detailFromTask(detail, timeMs), timeMs);
}

/**
 * The event ECS sends when a RUNNING task is told to stop: lastStatus still RUNNING, desiredStatus STOPPED,
 * one version above the RUNNING event (3 for a simulated task, between RUNNING 2 and STOPPED 4).
 */
export function drainingEvent(running: SimTaskEvent, timeMs: number = Date.parse(running.time) + 1000): SimTaskEvent {
  const detail: Json = { ...structuredClone(running.detail), desiredStatus: 'STOPPED', version: running.detail.version + 1 };
  detail.stoppingAt = new Date(timeMs).toISOString();
  return envelope(detailFromTask(detail, timeMs), timeMs);
}

interface Recorded {
  readonly json: string;
  readonly timeMs: number;
  readonly id: string;
}

/**
 * Every event the simulation would have delivered, in order. Recording keeps the task's serialised JSON (a
 * shared string, cheap at 10,000 tasks) and builds event objects only when asked.
 */
export class SimEventLog {
  private readonly recorded: Recorded[] = [];

  constructor(private readonly world: SimWorld) {}

  /** Records the event for the task's current state. */
  record(task: SimTask, timeMs: number = Date.now()): void {
    const json = this.world.taskJson(task.cluster, task.arn, false);
    if (json === undefined) throw new Error(`unknown simulated task ${task.arn}`);
    this.recorded.push({ json, timeMs, id: randomUUID() });
  }

  /** All recorded events, oldest first; fresh objects on every call, so tests may alter them. */
  events(): SimTaskEvent[] {
    return this.recorded.map((r) => envelope(detailFromTask(JSON.parse(r.json) as Json, r.timeMs), r.timeMs, r.id));
  }
}
