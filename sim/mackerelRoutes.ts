/**
 * The Mackerel API routes the collector uses (reference mackerel-api.md §2, §4, §5): host lookup, metric
 * posts and graph definitions. Each route is a pure function of the request and the receiver's state.
 */
import type { MetricValue } from '../src/types';
import type { HostStore } from './mackerelHosts';
import { validateGraphDefs, validateMetricValues } from './mackerelValidation';

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

/** Everything the receiver remembers. */
export interface ReceiverState {
  readonly hosts: HostStore;
  readonly posted: MetricValue[];
  readonly graphDefs: ReceivedGraphDef[];
  /** hostId → namespace → value. */
  readonly metadata: Map<string, Map<string, unknown>>;
  readonly dashboards: Map<string, StoredDashboard>;
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
    pattern: /^\/api\/v0\/graph-defs\/create$/,
    handle: (req, state) => {
      const problem = validateGraphDefs(req.body);
      if (problem) return apiError(400, problem);
      state.graphDefs.push(...(req.body as ReceivedGraphDef[]));
      return success;
    },
  },
];
