/**
 * Host metadata and dashboard routes (reference mackerel-api.md §6, §7), used by the collector's inventory
 * and `dashboards` command. Same rules as the API: metadata ≤100 KB (413), ≤50 namespaces per host,
 * namespaces `[-a-zA-Z0-9_]+` not starting with `mackerel`; dashboards have no upsert, a used `urlPath` is 409,
 * widgets sit on a 24-wide grid without overlapping.
 */
import { randomBytes } from 'node:crypto';
import { apiError, success, type ReceiverState, type Route, type RouteResponse, type StoredDashboard } from './mackerelRoutes';

const METADATA_MAX_BYTES = 100 * 1024;
const METADATA_MAX_NAMESPACES = 50;
const NAMESPACE = /^[-a-zA-Z0-9_]+$/;
const URL_PATH = /^([A-Za-z0-9_][-A-Za-z0-9_]*)(\/[A-Za-z0-9_][-A-Za-z0-9_]*)*$/;
const GRID_WIDTH = 24;
/** Minimum widget sizes (width × height) per widget type. */
const MIN_SIZE: Record<string, readonly [number, number]> = {
  graph: [6, 6],
  value: [4, 4],
  markdown: [4, 2],
  alertStatus: [4, 3],
};

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

function hostFor(state: ReceiverState, id: string): RouteResponse | Map<string, unknown> {
  const host = state.hosts.byHostId(id);
  if (!host) return apiError(404, 'Host Not Found.');
  let spaces = state.metadata.get(id);
  if (!spaces) state.metadata.set(id, (spaces = new Map()));
  return spaces;
}

/** Host metadata and dashboards. */
export const extraRoutes: readonly Route[] = [
  {
    method: 'GET',
    pattern: /^\/api\/v0\/hosts\/([^/]+)\/metadata$/,
    handle: (req, state) => {
      const spaces = hostFor(state, req.params[0] ?? '');
      if (!(spaces instanceof Map)) return spaces;
      return { status: 200, body: { metadata: [...spaces.keys()].map((namespace) => ({ namespace })) } };
    },
  },
  {
    method: 'GET',
    pattern: /^\/api\/v0\/hosts\/([^/]+)\/metadata\/([^/]+)$/,
    handle: (req, state) => {
      const spaces = hostFor(state, req.params[0] ?? '');
      if (!(spaces instanceof Map)) return spaces;
      const ns = req.params[1] ?? '';
      return spaces.has(ns) ? { status: 200, body: spaces.get(ns) } : apiError(404, 'Metadata not found.');
    },
  },
  {
    method: 'PUT',
    pattern: /^\/api\/v0\/hosts\/([^/]+)\/metadata\/([^/]+)$/,
    handle: (req, state) => {
      const spaces = hostFor(state, req.params[0] ?? '');
      if (!(spaces instanceof Map)) return spaces;
      if (state.hosts.byHostId(req.params[0] ?? '')?.isRetired) return apiError(400, 'Host is retired.');
      const ns = req.params[1] ?? '';
      if (!NAMESPACE.test(ns) || ns.startsWith('mackerel')) return apiError(400, `invalid namespace ${ns}`);
      if (req.bodyBytes > METADATA_MAX_BYTES) return apiError(413, 'metadata exceeds 100 KB');
      if (!spaces.has(ns) && spaces.size >= METADATA_MAX_NAMESPACES) return apiError(400, 'too many namespaces');
      spaces.set(ns, req.body);
      return success;
    },
  },
  {
    method: 'DELETE',
    pattern: /^\/api\/v0\/hosts\/([^/]+)\/metadata\/([^/]+)$/,
    handle: (req, state) => {
      const spaces = hostFor(state, req.params[0] ?? '');
      if (!(spaces instanceof Map)) return spaces;
      return spaces.delete(req.params[1] ?? '') ? success : apiError(404, 'Metadata not found.');
    },
  },
  {
    method: 'GET',
    pattern: /^\/api\/v0\/dashboards$/,
    handle: (_req, state) => ({
      status: 200,
      body: { dashboards: [...state.dashboards.values()].map(({ widgets: _w, ...rest }) => rest) },
    }),
  },
  { method: 'POST', pattern: /^\/api\/v0\/dashboards$/, handle: (req, state) => saveDashboard(req.body, undefined, state) },
  {
    method: 'GET',
    pattern: /^\/api\/v0\/dashboards\/([^/]+)$/,
    handle: (req, state) => {
      const d = state.dashboards.get(req.params[0] ?? '');
      return d ? { status: 200, body: d } : apiError(404, 'Dashboard Not Found.');
    },
  },
  {
    method: 'PUT',
    pattern: /^\/api\/v0\/dashboards\/([^/]+)$/,
    handle: (req, state) => {
      const id = req.params[0] ?? '';
      return state.dashboards.has(id) ? saveDashboard(req.body, id, state) : apiError(404, 'Dashboard Not Found.');
    },
  },
  {
    method: 'DELETE',
    pattern: /^\/api\/v0\/dashboards\/([^/]+)$/,
    handle: (req, state) => {
      const d = state.dashboards.get(req.params[0] ?? '');
      if (!d) return apiError(404, 'Dashboard Not Found.');
      state.dashboards.delete(d.id);
      return { status: 200, body: d };
    },
  },
];

function saveDashboard(body: unknown, id: string | undefined, state: ReceiverState): RouteResponse {
  if (!isObject(body)) return apiError(400, 'body must be an object');
  const { title, memo, urlPath, widgets } = body;
  if (typeof title !== 'string' || title.length === 0) return apiError(400, 'title is required');
  if (memo !== undefined && typeof memo !== 'string') return apiError(400, 'memo must be a string');
  if (typeof urlPath !== 'string' || !URL_PATH.test(urlPath)) return apiError(400, `invalid urlPath ${String(urlPath)}`);
  if (!Array.isArray(widgets)) return apiError(400, 'widgets must be an array');
  const problem = widgetsProblem(widgets);
  if (problem) return apiError(400, problem);
  for (const d of state.dashboards.values()) {
    if (d.urlPath === urlPath && d.id !== id) return apiError(409, `urlPath ${urlPath} is already used`);
  }
  const now = state.now();
  const previous = id ? state.dashboards.get(id) : undefined;
  const saved: StoredDashboard = {
    id: id ?? randomBytes(8).toString('base64url').slice(0, 11),
    title,
    memo: typeof memo === 'string' ? memo : '',
    urlPath,
    widgets,
    createdAt: previous?.createdAt ?? now,
    updatedAt: now,
  };
  state.dashboards.set(saved.id, saved);
  return { status: 200, body: saved };
}

function widgetsProblem(widgets: readonly unknown[]): string | undefined {
  const boxes: [number, number, number, number][] = [];
  for (const [i, w] of widgets.entries()) {
    if (!isObject(w) || typeof w.type !== 'string') return `widget ${i}: missing type`;
    const min = MIN_SIZE[w.type];
    if (!min) return `widget ${i}: unknown type ${w.type}`;
    if (typeof w.title !== 'string') return `widget ${i}: title must be a string`;
    const l = w.layout;
    if (!isObject(l)) return `widget ${i}: layout is required`;
    const { x, y, width, height } = l;
    const ints = [x, y, width, height];
    if (!ints.every((n) => typeof n === 'number' && Number.isInteger(n) && n >= 0)) return `widget ${i}: layout must be non-negative integers`;
    const box = ints as [number, number, number, number];
    if (box[0] + box[2] > GRID_WIDTH) return `widget ${i}: wider than the ${GRID_WIDTH}-column grid`;
    if (box[2] < min[0] || box[3] < min[1]) return `widget ${i}: smaller than ${min[0]}x${min[1]}`;
    const hit = boxes.findIndex((b) => b[0] < box[0] + box[2] && box[0] < b[0] + b[2] && b[1] < box[1] + box[3] && box[1] < b[1] + b[3]);
    if (hit >= 0) return `widget ${i}: overlaps widget ${hit}`;
    boxes.push(box);
    if (w.type === 'graph' && (!isObject(w.graph) || typeof w.graph.type !== 'string')) return `widget ${i}: graph is required`;
    if (w.type === 'value' && (!isObject(w.metric) || typeof w.metric.type !== 'string')) return `widget ${i}: metric is required`;
    if (w.type === 'markdown' && typeof w.markdown !== 'string') return `widget ${i}: markdown must be a string`;
  }
  return undefined;
}
