import { z } from 'zod';
import { err, ok, type Result } from '../result';
import type { MackerelFailure } from './errors';
import { createApiRequester, parseJson, type ApiRequesterOptions } from './request';

/**
 * Mackerel monitors (reference/mackerel-api.md §14; API docs, monitors:
 * https://mackerel.io/api-docs/entry/monitors; mackerel-client-go monitors.go `MonitorServiceMetric`):
 * `GET /api/v0/monitors` → `{"monitors":[…]}` (every type, ordered by type then name), `POST /api/v0/monitors`
 * and `PUT /api/v0/monitors/{id}` answer the monitor with its `id`. There is no upsert and names are not
 * unique: src/monitors/sync.ts lists and matches by name. A PUT replaces every field: an omitted `isMute`
 * unmutes the monitor, so sync carries over the fields it does not manage.
 */

/**
 * A service metric monitor as POST and PUT take it. Ranges (API docs): `duration` 1-10 points,
 * `maxCheckAttempts` 1-10, `missingDuration*` a multiple of 10 minutes up to a week (10080), `notificationInterval`
 * ≥ 10 minutes, `memo` ≤ 2048 characters, `service` must exist (400). At least one of `warning` and
 * `critical` must be a number (terraform-provider-mackerel's validator for service_metric; the docs mark both
 * optional); `null` is sent for the other, as mackerel-client-go does (`json:"warning"` without omitempty).
 */
export interface ServiceMonitorBody {
  readonly type: 'service';
  readonly name: string;
  readonly memo: string;
  readonly service: string;
  readonly metric: string;
  readonly operator: '>' | '<';
  readonly warning: number | null;
  readonly critical: number | null;
  readonly duration: number;
  readonly maxCheckAttempts: number;
  readonly missingDurationWarning?: number;
  readonly missingDurationCritical?: number;
  readonly notificationInterval?: number;
  readonly isMute?: boolean;
}

/** The fields of a service monitor body, for carrying over what a PUT would otherwise drop. */
export const SERVICE_MONITOR_FIELDS = [
  'type', 'name', 'memo', 'service', 'metric', 'operator', 'warning', 'critical', 'duration', 'maxCheckAttempts',
  'missingDurationWarning', 'missingDurationCritical', 'notificationInterval', 'isMute',
] as const satisfies readonly (keyof ServiceMonitorBody)[];

/**
 * A monitor as the API returns it, of any type. Only `id` and `type` are sure: a connectivity monitor may
 * come without a name (API docs, list example), so `name` is '' then. The rest stays as sent.
 */
export interface ExistingMonitor {
  readonly id: string;
  readonly type: string;
  readonly name: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

/** The monitor calls `monitors` makes. */
export interface MonitorPort {
  listMonitors(signal?: AbortSignal): Promise<Result<ExistingMonitor[], MackerelFailure>>;
  createMonitor(monitor: ServiceMonitorBody, signal?: AbortSignal): Promise<Result<ExistingMonitor, MackerelFailure>>;
  /** A 404 (deleted since it was listed) comes back as a MackerelError with `status` 404. */
  updateMonitor(id: string, monitor: ServiceMonitorBody, signal?: AbortSignal): Promise<Result<ExistingMonitor, MackerelFailure>>;
}

const monitorShape = z.looseObject({ id: z.string().min(1), type: z.string().min(1), name: z.string().nullish() });
const listShape = z.object({ monitors: z.array(monitorShape) });

const toExisting = (m: z.infer<typeof monitorShape>): ExistingMonitor => ({ id: m.id, type: m.type, name: m.name ?? '', fields: m });

function parseOne(text: string): Result<ExistingMonitor, string> {
  const parsed = monitorShape.safeParse(parseJson(text));
  return parsed.success ? ok(toExisting(parsed.data)) : err('unexpected response: expected a monitor with id and type');
}

function parseList(text: string): Result<ExistingMonitor[], string> {
  const parsed = listShape.safeParse(parseJson(text));
  return parsed.success ? ok(parsed.data.monitors.map(toExisting)) : err('unexpected response: expected {"monitors":[…]}');
}

/** Creates the monitors client. Writes need a key with Write permission. */
export function createMonitorClient(opts: ApiRequesterOptions): MonitorPort {
  const api = createApiRequester(opts);
  return {
    listMonitors: (signal) => api.request('GET', '/api/v0/monitors', undefined, parseList, signal),
    createMonitor: (monitor, signal) => api.request('POST', '/api/v0/monitors', monitor, parseOne, signal),
    updateMonitor: (id, monitor, signal) => api.request('PUT', `/api/v0/monitors/${encodeURIComponent(id)}`, monitor, parseOne, signal),
  };
}
