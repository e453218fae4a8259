/**
 * A Mackerel API receiver on 127.0.0.1: checks `X-Api-Key` (401 otherwise), validates every body against
 * the documented shapes (400 naming the first bad item), records what it accepted (service metrics only for
 * the services it was told exist, 404 otherwise), keeps the alert state of every reported check and the
 * monitors created, and can be told to fail the next requests of a route (429/5xx, a hang, a reset
 * connection) for retry and timeout tests.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MetricValue } from '../src/types';
import { BodyTooLargeError, delay, listenHttp, readBody } from './httpServer';
import { checkKey, checkRoutes, type CheckAlert, type ReceivedCheckReport } from './mackerelChecks';
import { extraRoutes } from './mackerelExtras';
import { HostStore, type MackerelHost } from './mackerelHosts';
import { listMonitors, monitorRoutes, type StoredMonitor } from './mackerelMonitors';
import {
  apiError,
  coreRoutes,
  type ReceivedGraphDef,
  type ReceivedServiceMetric,
  type ReceiverState,
  type RouteResponse,
  type StoredDashboard,
} from './mackerelRoutes';

/** One request as the receiver saw it. `status` 0 = hung or reset by `failNext`. */
export interface RecordedRequest {
  readonly method: string;
  /** Path with query string. */
  readonly path: string;
  readonly status: number;
  /** Epoch milliseconds. */
  readonly at: number;
}

/** What `failNext` does: answer with this status, never answer (`hang`), or drop the connection (`reset`). */
export type InjectedFailure = number | 'hang' | 'reset';

/** Options of `startMackerelReceiver`. */
export interface ReceiverOptions {
  readonly apiKey: string;
  /** Latency added to every response (ms). */
  readonly latencyMs?: number;
  /** Mackerel services that exist, for service metric posts (default `['ecs']`). */
  readonly services?: readonly string[];
}

/** The running receiver and its inspection helpers. */
export interface MackerelReceiver {
  /** Base URL for `MACKEREL_API_BASE`, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  readonly apiKey: string;
  /** Every metric value accepted, in order. */
  posted(): MetricValue[];
  /** Every graph definition accepted, in order (re-posts included). */
  graphDefs(): ReceivedGraphDef[];
  /** Every service metric value accepted, in order, with the service it was posted to. */
  serviceMetrics(): ReceivedServiceMetric[];
  /** Every request, rejected ones included. */
  requests(): RecordedRequest[];
  /** Host metadata stored under a namespace, or undefined. */
  metadata(hostId: string, namespace: string): unknown;
  dashboards(): StoredDashboard[];
  /** Every check report accepted, in order; `ignored` when Mackerel would have ignored it (not newer). */
  checkReports(): ReceivedCheckReport[];
  /** The alert state of a host's check, or undefined when it was never reported. */
  checkAlert(hostId: string, name: string): CheckAlert | undefined;
  /** Every monitor, ordered as the API lists them (type, then name). */
  monitors(): StoredMonitor[];
  /** The Mackerel host of an EC2 instance (retired ones included), or undefined. */
  hostByInstance(instanceId: string): MackerelHost | undefined;
  /** Registers a host for an EC2 instance as mackerel-agent would. */
  addHost(instanceId: string, address: string): MackerelHost;
  /** Retires the host of an instance: it disappears from lookups and posts to it are refused. */
  retireHost(instanceId: string): void;
  /** The next `times` requests whose path starts with `routePrefix` fail as given. */
  failNext(routePrefix: string, failure: InjectedFailure, times?: number): void;
  /** Clears recordings, metadata, dashboards, checks, monitors and pending failures (hosts stay). */
  reset(): void;
  close(): Promise<void>;
}

/** Starts the receiver on 127.0.0.1 with an OS-chosen port. */
export async function startMackerelReceiver(options: ReceiverOptions): Promise<MackerelReceiver> {
  const state: ReceiverState = {
    hosts: new HostStore(),
    posted: [],
    services: new Set(options.services ?? ['ecs']),
    serviceMetrics: [],
    graphDefs: [],
    metadata: new Map(),
    dashboards: new Map(),
    checkReports: [],
    checkAlerts: new Map(),
    monitors: new Map(),
    now: () => Math.floor(Date.now() / 1000),
  };
  const requests: RecordedRequest[] = [];
  let failures: { prefix: string; failure: InjectedFailure; remaining: number }[] = [];
  const latencyMs = options.latencyMs ?? 0;

  const takeFailure = (path: string): InjectedFailure | undefined => {
    const f = failures.find((x) => path.startsWith(x.prefix));
    if (!f) return undefined;
    f.remaining -= 1;
    if (f.remaining <= 0) failures = failures.filter((x) => x !== f);
    return f.failure;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://receiver');
    const method = req.method ?? 'GET';
    const record = (status: number): void => {
      requests.push({ method, path: url.pathname + url.search, status, at: Date.now() });
    };
    let raw: string;
    try {
      raw = await readBody(req);
    } catch (e) {
      const status = e instanceof BodyTooLargeError ? 413 : 400;
      record(status);
      return send(res, { status, body: { error: { message: 'unreadable body' } } });
    }
    await delay(latencyMs);
    const failure = takeFailure(url.pathname);
    if (failure === 'hang') return record(0);
    if (failure === 'reset') {
      record(0);
      req.socket.destroy();
      return;
    }
    const result =
      failure !== undefined
        ? apiError(failure, `simulated ${failure}`)
        : route(method, url, raw, req.headers, options.apiKey, state);
    record(result.status);
    send(res, result);
  };

  const server = await listenHttp((req, res) => void handle(req, res));
  return {
    url: server.url,
    apiKey: options.apiKey,
    posted: () => [...state.posted],
    graphDefs: () => [...state.graphDefs],
    serviceMetrics: () => [...state.serviceMetrics],
    requests: () => [...requests],
    metadata: (hostId, ns) => state.metadata.get(hostId)?.get(ns),
    dashboards: () => [...state.dashboards.values()],
    checkReports: () => [...state.checkReports],
    checkAlert: (hostId, name) => state.checkAlerts.get(checkKey(hostId, name)),
    monitors: () => listMonitors(state),
    hostByInstance: (instanceId) => state.hosts.byInstance(instanceId),
    addHost: (instanceId, address) => state.hosts.add(instanceId, address),
    retireHost: (instanceId) => {
      const host = state.hosts.byInstance(instanceId);
      if (host) host.isRetired = true;
    },
    failNext: (prefix, failure, times = 1) => {
      failures.push({ prefix, failure, remaining: times });
    },
    reset: () => {
      state.posted.length = 0;
      state.graphDefs.length = 0;
      state.serviceMetrics.length = 0;
      state.metadata.clear();
      state.dashboards.clear();
      state.checkReports.length = 0;
      state.checkAlerts.clear();
      state.monitors.clear();
      requests.length = 0;
      failures = [];
    },
    close: () => server.close(),
  };
}

function route(
  method: string,
  url: URL,
  raw: string,
  headers: IncomingMessage['headers'],
  apiKey: string,
  state: ReceiverState,
): RouteResponse {
  if (headers['x-api-key'] !== apiKey) return apiError(401, 'Authentication failed. Please check the API key.');
  let matched = false;
  for (const r of [...coreRoutes, ...extraRoutes, ...checkRoutes, ...monitorRoutes]) {
    const m = r.pattern.exec(url.pathname);
    if (!m) continue;
    matched = true;
    if (r.method !== method) continue;
    let body: unknown = undefined;
    if (method === 'POST' || method === 'PUT') {
      if (!String(headers['content-type'] ?? '').startsWith('application/json')) {
        return apiError(400, 'Content-Type must be application/json');
      }
      try {
        body = JSON.parse(raw);
      } catch {
        return apiError(400, 'body is not valid JSON');
      }
    }
    let params: string[];
    try {
      params = m.slice(1).map((p) => decodeURIComponent(p));
    } catch {
      return apiError(400, 'malformed percent-encoding in path');
    }
    return r.handle({ method, path: url.pathname, query: url.searchParams, params, body, bodyBytes: Buffer.byteLength(raw) }, state);
  }
  return matched ? apiError(405, `${method} not allowed`) : apiError(404, 'Not Found');
}

function send(res: ServerResponse, result: RouteResponse): void {
  if (res.destroyed) return;
  const body = JSON.stringify(result.body);
  res.writeHead(result.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
