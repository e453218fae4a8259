import { z } from 'zod';
import { err, ok, type Result } from '../result';
import type { MackerelFailure } from './errors';
import { createApiRequester, parseJson, type ApiRequesterOptions } from './request';

/**
 * Mackerel custom dashboards (reference/mackerel-api.md §7; API docs, dashboards): list, get, create and
 * update. There is no upsert and no lookup by urlPath: src/dashboards/sync.ts lists and matches.
 */

/** Position on the 24-column grid. Integers ≥ 0; no two widgets may overlap. */
export interface WidgetLayout {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** What a graph widget draws. `name` of a service graph is the graph name: metric names up to their last dot. */
export type DashboardGraph =
  | { readonly type: 'host'; readonly hostId: string; readonly name: string }
  | { readonly type: 'service'; readonly serviceName: string; readonly name: string }
  | { readonly type: 'expression'; readonly expression: string };

/** The widgets the collector generates. */
export type DashboardWidget =
  | { readonly type: 'markdown'; readonly title: string; readonly markdown: string; readonly layout: WidgetLayout }
  | { readonly type: 'graph'; readonly title: string; readonly graph: DashboardGraph; readonly layout: WidgetLayout };

/** The body of `POST /api/v0/dashboards` and `PUT /api/v0/dashboards/{id}`. */
export interface DashboardBody {
  readonly title: string;
  readonly memo: string;
  /** `^([A-Za-z0-9_][-A-Za-z0-9_]*)(/[A-Za-z0-9_][-A-Za-z0-9_]*)*$`; unique in the organisation (409). */
  readonly urlPath: string;
  readonly widgets: readonly DashboardWidget[];
}

/**
 * A dashboard as the API returns it. Widgets stay `unknown`: the API adds fields (an empty `referenceLines`
 * on graph widgets) and may return `{"type":"unknown"}` graphs. The docs say the list has the same format as
 * a single dashboard; `widgets` is optional in case a list leaves it out.
 */
export interface ExistingDashboard {
  readonly id: string;
  readonly title: string;
  readonly memo: string;
  readonly urlPath: string;
  readonly widgets?: readonly unknown[];
}

/** The dashboard calls `dashboards` and the hourly option make. */
export interface DashboardPort {
  listDashboards(signal?: AbortSignal): Promise<Result<ExistingDashboard[], MackerelFailure>>;
  getDashboard(id: string, signal?: AbortSignal): Promise<Result<ExistingDashboard, MackerelFailure>>;
  /** A 409 (urlPath already used) comes back as a MackerelError with `status` 409. */
  createDashboard(body: DashboardBody, signal?: AbortSignal): Promise<Result<ExistingDashboard, MackerelFailure>>;
  updateDashboard(id: string, body: DashboardBody, signal?: AbortSignal): Promise<Result<ExistingDashboard, MackerelFailure>>;
}

const dashboardShape = z.object({
  id: z.string().min(1),
  title: z.string(),
  memo: z.string().nullish(),
  urlPath: z.string(),
  widgets: z.array(z.unknown()).optional(),
});
const listShape = z.object({ dashboards: z.array(dashboardShape) });

const toExisting = (d: z.infer<typeof dashboardShape>): ExistingDashboard => ({
  id: d.id,
  title: d.title,
  memo: d.memo ?? '',
  urlPath: d.urlPath,
  ...(d.widgets === undefined ? {} : { widgets: d.widgets }),
});

function parseOne(text: string): Result<ExistingDashboard, string> {
  const parsed = dashboardShape.safeParse(parseJson(text));
  return parsed.success ? ok(toExisting(parsed.data)) : err('unexpected response: expected a dashboard with id and urlPath');
}

function parseList(text: string): Result<ExistingDashboard[], string> {
  const parsed = listShape.safeParse(parseJson(text));
  return parsed.success ? ok(parsed.data.dashboards.map(toExisting)) : err('unexpected response: expected {"dashboards":[…]}');
}

/** Creates the dashboards client. Writes need a key with Write permission; 403 also means the plan's dashboard limit. */
export function createDashboardClient(opts: ApiRequesterOptions): DashboardPort {
  const api = createApiRequester(opts);
  const one = (id: string): string => `/api/v0/dashboards/${encodeURIComponent(id)}`;
  return {
    listDashboards: (signal) => api.request('GET', '/api/v0/dashboards', undefined, parseList, signal),
    getDashboard: (id, signal) => api.request('GET', one(id), undefined, parseOne, signal),
    createDashboard: (body, signal) => api.request('POST', '/api/v0/dashboards', body, parseOne, signal),
    updateDashboard: (id, body, signal) => api.request('PUT', one(id), body, parseOne, signal),
  };
}
