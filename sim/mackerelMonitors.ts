/**
 * Monitor routes (reference mackerel-api.md §14; API docs, monitors, https://mackerel.io/api-docs/entry/monitors):
 * list, get, create, update and delete. Service metric monitors, the only type the collector writes, are validated
 * against every documented rule; other types are stored as given (tests seed them as "somebody else's").
 * Answers echo the body with an `id`, and `isMute: false` when it was left out, as the API's examples show.
 */
import { randomBytes } from 'node:crypto';
import { apiError, type ReceiverState, type Route, type RouteResponse } from './mackerelRoutes';

/** A monitor as stored and answered: the request body plus `id`. */
export type StoredMonitor = Readonly<Record<string, unknown>> & { readonly id: string; readonly type: string };

const MONITOR_TYPES: readonly string[] = ['host', 'connectivity', 'service', 'external', 'expression', 'anomalyDetection', 'query'];
const SERVICE_KEYS: readonly string[] = [
  'type', 'name', 'memo', 'service', 'metric', 'operator', 'warning', 'critical', 'duration', 'maxCheckAttempts',
  'missingDurationWarning', 'missingDurationCritical', 'notificationInterval', 'isMute',
];
/** Service metric names: `[a-zA-Z0-9._-]+` (API docs, service-metrics). */
const SERVICE_METRIC_NAME = /^[a-zA-Z0-9._-]+$/;
const MEMO_MAX_CHARS = 2048;
const WEEK_MINUTES = 7 * 24 * 60;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const isIntIn = (v: unknown, min: number, max: number): boolean => Number.isInteger(v) && (v as number) >= min && (v as number) <= max;
const show = (v: unknown): string => JSON.stringify(v) ?? String(v);

/** The first problem of a service metric monitor body ("400 when …" in the API docs), or undefined. */
export function serviceMonitorProblem(m: Json, services: ReadonlySet<string>): string | undefined {
  const extra = Object.keys(m).find((k) => !SERVICE_KEYS.includes(k));
  if (extra !== undefined) return `unexpected key ${show(extra)}`;
  const { name, memo, service, metric, operator, warning, critical, duration, maxCheckAttempts } = m;
  if (typeof name !== 'string' || name === '') return 'name is empty';
  if (memo !== undefined && (typeof memo !== 'string' || [...memo].length > MEMO_MAX_CHARS)) return `memo must be a string of at most ${MEMO_MAX_CHARS} characters`;
  if (typeof service !== 'string' || !services.has(service)) return `service ${show(service)} is not registered`;
  if (typeof metric !== 'string' || !SERVICE_METRIC_NAME.test(metric)) return `invalid metric ${show(metric)}`;
  if (operator !== '>' && operator !== '<') return `operator must be ">" or "<", got ${show(operator)}`;
  for (const [key, v] of [['warning', warning], ['critical', critical]] as const) {
    if (v !== undefined && v !== null && (typeof v !== 'number' || !Number.isFinite(v))) return `${key} must be a number or null`;
  }
  // terraform-provider-mackerel requires one of them for service_metric (the docs mark both optional).
  if (typeof warning !== 'number' && typeof critical !== 'number') return 'at least one of warning and critical is required';
  if (!isIntIn(duration, 1, 10)) return `duration ${show(duration)} must be 1 to 10`;
  if (maxCheckAttempts !== undefined && !isIntIn(maxCheckAttempts, 1, 10)) return `maxCheckAttempts ${show(maxCheckAttempts)} must be 1 to 10`;
  for (const key of ['missingDurationWarning', 'missingDurationCritical'] as const) {
    const v = m[key];
    if (v !== undefined && v !== null && !(isIntIn(v, 10, WEEK_MINUTES) && (v as number) % 10 === 0)) {
      return `${key} ${show(v)} must be a multiple of 10 minutes, at most a week`;
    }
  }
  if (m.notificationInterval !== undefined && m.notificationInterval !== null && !isIntIn(m.notificationInterval, 10, Number.MAX_SAFE_INTEGER)) {
    return 'notificationInterval must be 10 minutes or more';
  }
  if (m.isMute !== undefined && typeof m.isMute !== 'boolean') return 'isMute must be a boolean';
  return undefined;
}

function saveMonitor(body: unknown, id: string | undefined, state: ReceiverState): RouteResponse {
  if (!isObject(body)) return apiError(400, 'body must be an object');
  if (typeof body.type !== 'string' || !MONITOR_TYPES.includes(body.type)) return apiError(400, `unknown monitor type ${show(body.type)}`);
  const previous = id === undefined ? undefined : state.monitors.get(id);
  if (previous !== undefined && previous.type !== body.type) return apiError(400, 'the type of a monitor cannot be changed');
  if (body.type === 'service') {
    const problem = serviceMonitorProblem(body, state.services);
    if (problem) return apiError(400, problem);
  } else if (body.type !== 'connectivity' && (typeof body.name !== 'string' || body.name === '')) {
    return apiError(400, 'name is empty');
  }
  const saved: StoredMonitor = { ...body, type: body.type, isMute: body.isMute ?? false, id: id ?? randomBytes(8).toString('base64url').slice(0, 11) };
  state.monitors.set(saved.id, saved);
  return { status: 200, body: saved };
}

/** Every monitor, ordered as the API lists them: "monitor type -> name" (API docs, monitors#list). */
export function listMonitors(state: ReceiverState): StoredMonitor[] {
  return [...state.monitors.values()].sort((a, b) => a.type.localeCompare(b.type) || String(a.name ?? '').localeCompare(String(b.name ?? '')));
}

/** Monitor routes. */
export const monitorRoutes: readonly Route[] = [
  {
    method: 'GET',
    pattern: /^\/api\/v0\/monitors$/,
    handle: (_req, state) => ({ status: 200, body: { monitors: listMonitors(state) } }),
  },
  { method: 'POST', pattern: /^\/api\/v0\/monitors$/, handle: (req, state) => saveMonitor(req.body, undefined, state) },
  {
    method: 'GET',
    pattern: /^\/api\/v0\/monitors\/([^/]+)$/,
    handle: (req, state) => {
      const m = state.monitors.get(req.params[0] ?? '');
      return m ? { status: 200, body: { monitor: m } } : apiError(404, 'Monitor Not Found.');
    },
  },
  {
    method: 'PUT',
    pattern: /^\/api\/v0\/monitors\/([^/]+)$/,
    handle: (req, state) => {
      const id = req.params[0] ?? '';
      return state.monitors.has(id) ? saveMonitor(req.body, id, state) : apiError(404, 'Monitor Not Found.');
    },
  },
  {
    method: 'DELETE',
    pattern: /^\/api\/v0\/monitors\/([^/]+)$/,
    handle: (req, state) => {
      const m = state.monitors.get(req.params[0] ?? '');
      if (!m) return apiError(404, 'Monitor Not Found.');
      state.monitors.delete(m.id);
      return { status: 200, body: m };
    },
  },
];
