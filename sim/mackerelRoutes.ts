/**
 * The Mackerel API routes the collector uses (reference mackerel-api.md §2, §3, §4, §5): host lookup, host and
 * service metric posts and graph definitions. Each route is a pure function of the request and the receiver's state.
 * Host metadata and dashboards are in mackerelExtras.ts, check reports in mackerelChecks.ts, monitors in
 * mackerelMonitors.ts.
 */
import type { MetricValue } from '../src/types';
import type { CheckAlert, ReceivedCheckReport } from './mackerelChecks';
import type { StoredMonitor } from './mackerelMonitors';
import type { HostStore } from './mackerelHosts';
import { validateGraphDefs, validateMetricValues } from './mackerelValidation';

/** Mackerel service names (reference §3). */
const SERVICE_NAME = /^[A-Za-z0-9_-]{2,63}$/;
/** Service metric names: `[a-zA-Z0-9._-]+`, no `custom.` needed (API docs, service-metrics). */
const SERVICE_METRIC_NAME = /^[a-zA-Z0-9._-]+$/;
const SERVICE_METRIC_KEYS = ['name', 'time', 'value'];
/** Same age rules as host metrics (see mackerelValidation.ts): older than 24 h or 15 min ahead is a 400 here. */
const MAX_AGE_S = 24 * 60 * 60;
const MAX_FUTURE_S = 15 * 60;

/** Checks a `POST /api/v0/services/{name}/tsdb` body: an array of exactly `{name, time, value}` (no hostId). */
export function validateServiceMetricValues(body: unknown, nowS: number): string | undefined {
  if (!Array.isArray(body)) return 'body must be a JSON array of metric values';
  for (const [i, item] of body.entries()) {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) return `item ${i}: not an object`;
    const extra = Object.keys(item).find((k) => !SERVICE_METRIC_KEYS.includes(k));
    if (extra !== undefined) return `item ${i}: unexpected key ${JSON.stringify(extra)}`;
    const { name, time, value } = item as Record<string, unknown>;
    if (typeof name !== 'string' || !SERVICE_METRIC_NAME.test(name)) return `item ${i}: invalid metric name ${JSON.stringify(name)}`;
    if (typeof time !== 'number' || !Number.isInteger(time)) return `item ${i} (${name}): time is not integer epoch seconds`;
    if (time < nowS - MAX_AGE_S || time > nowS + MAX_FUTURE_S) return `item ${i} (${name}): time ${time} is out of range`;
    if (typeof value !== 'number' || !Number.isFinite(value)) return `item ${i} (${name}): value is not a finite number`;
  }
  return undefined;
}

/** A graph definition as accepted (optional fields stay optional, as the API allows). */
export interface ReceivedGraphDef {
  readonly name: string;
  readonly displayName?: string;
  readonly unit?: string;
  readonly metrics: readonly { readonly name: string; readonly displayName?: string; readonly isStacked?: boolean }[];
}

/** A dashboard as stored (the request body plus the fields the API adds). */
export interface StoredDashboard {
  readonly id: string;
  readonly title: string;
  readonly memo: string;
  readonly urlPath: string;
  readonly widgets: readonly unknown[];
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** A service metric value as accepted, with the Mackerel service it was posted to. */
export interface ReceivedServiceMetric {
  readonly service: string;
  readonly name: string;
  readonly time: number;
  readonly value: number;
}

/** Everything the receiver remembers. */
export interface ReceiverState {
  readonly hosts: HostStore;
  readonly posted: MetricValue[];
  /** Mackerel services that exist (service metric posts to any other name are 404). */
  readonly services: ReadonlySet<string>;
  readonly serviceMetrics: ReceivedServiceMetric[];
  readonly graphDefs: ReceivedGraphDef[];
  /** hostId → namespace → value. */
  readonly metadata: Map<string, Map<string, unknown>>;
  readonly dashboards: Map<string, StoredDashboard>;
  /** Every accepted check report, in order (ignored ones flagged). */
  readonly checkReports: ReceivedCheckReport[];
  /** `checkKey(hostId, name)` → the alert state of that check. */
  readonly checkAlerts: Map<string, CheckAlert>;
  /** id → monitor. */
  readonly monitors: Map<string, StoredMonitor>;
  /** Current time in epoch seconds (tests may pin it). */
  now(): number;
}

/** A parsed request. `params` are the pattern's capture groups, URL-decoded. */
export interface RouteRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly params: readonly string[];
  readonly body: unknown;
  readonly bodyBytes: number;
}

/** What a route answers: a status and a JSON body. */
export interface RouteResponse {
  readonly status: number;
  readonly body: unknown;
}

/** One route. */
export interface Route {
  readonly method: string;
  readonly pattern: RegExp;
  handle(req: RouteRequest, state: ReceiverState): RouteResponse;
}

/** The `{"error":{"message":…}}` body mackerel-client-go parses. */
export const apiError = (status: number, message: string): RouteResponse => ({ status, body: { error: { message } } });
/** `{"success":true}`. */
export const success: RouteResponse = { status: 200, body: { success: true } };

/** Host lookup, metric and graph definition routes. */
export const coreRoutes: readonly Route[] = [
  {
    method: 'GET',
    pattern: /^\/api\/v0\/hosts$/,
    handle: (req, state) => {
      const hosts = state.hosts.list(req.query);
      return typeof hosts === 'string' ? apiError(400, hosts) : { status: 200, body: { hosts } };
    },
  },
  {
    method: 'GET',
    pattern: /^\/api\/v0\/hosts-by-custom-identifier\/([^/]+)$/,
    handle: (req, state) => {
      const host = state.hosts.byCustomIdentifier(req.params[0] ?? '', req.query.get('caseInsensitive') === 'true');
      return host ? { status: 200, body: { host } } : apiError(404, 'Host Not Found.');
    },
  },
  {
    method: 'GET',
    pattern: /^\/api\/v0\/hosts\/([^/]+)$/,
    handle: (req, state) => {
      const host = state.hosts.byHostId(req.params[0] ?? '');
      return host ? { status: 200, body: { host } } : apiError(404, 'Host Not Found.');
    },
  },
  {
    method: 'POST',
    pattern: /^\/api\/v0\/tsdb$/,
    handle: (req, state) => {
      const live = (id: string): boolean => state.hosts.byHostId(id)?.isRetired === false;
      const problem = validateMetricValues(req.body, live, state.now());
      if (problem) return apiError(400, problem);
      state.posted.push(...(req.body as MetricValue[]));
      return success;
    },
  },
  {
    method: 'POST',
    pattern: /^\/api\/v0\/services\/([^/]+)\/tsdb$/,
    handle: (req, state) => {
      const service = req.params[0] ?? '';
      if (!SERVICE_NAME.test(service)) return apiError(400, `invalid service name ${JSON.stringify(service)}`);
      if (!state.services.has(service)) return apiError(404, 'Service Not Found.');
      const problem = validateServiceMetricValues(req.body, state.now());
      if (problem) return apiError(400, problem);
      for (const v of req.body as { name: string; time: number; value: number }[]) {
        state.serviceMetrics.push({ service, name: v.name, time: v.time, value: v.value });
      }
      return success;
    },
  },
  {
    method: 'POST',
    pattern: /^\/api\/v0\/graph-defs\/create$/,
    handle: (req, state) => {
      const problem = validateGraphDefs(req.body);
      if (problem) return apiError(400, problem);
      state.graphDefs.push(...(req.body as ReceivedGraphDef[]));
      return success;
    },
  },
];
