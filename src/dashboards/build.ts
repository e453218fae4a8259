import type { DashboardBody, DashboardGraph, DashboardWidget, WidgetLayout } from '../mackerel/dashboardClient';
import { aggregateGraphName, clusterName, serviceMetricBase } from '../service/names';
import type { GraphUnit } from '../types';
import { perTaskExpression, type DashboardHost } from './expressions';
import { layoutWidgets, type WidgetRequest } from './layout';

/**
 * The dashboard of one ECS service, as plain data: what `mackerel-ecs-collector dashboards` creates or
 * updates. The same input always gives the same body (sorted), so an unchanged service is not rewritten.
 */

/** Service-level graph widgets per dashboard besides "Running tasks" (one per metric: its sum and avg). */
export const MAX_SERVICE_GRAPH_WIDGETS = 24;
/** Per-task expression widgets per dashboard (one per metric). */
export const MAX_TASK_GRAPH_WIDGETS = 24;
/** Graph widgets take a third of the grid, three per row; 6×6 is Mackerel's minimum. */
const GRAPH_SIZE = { width: 8, height: 6 } as const;
const INTRO_HEIGHT = 4;
const HEADER_HEIGHT = 2;

/** A graph the service's tasks produced (from the parsers' GraphMeta under the target's prefix). */
export interface DashboardGraphInput {
  readonly prefix: string;
  /** May hold dots (plugin text). */
  readonly graph: string;
  /** Metric nodes; `*` for label series. */
  readonly metrics: readonly string[];
  readonly unit: GraphUnit;
  readonly displayName?: string;
}

/** Everything one service's dashboard is built from. */
export interface ServiceDashboardInput {
  /** Cluster name or ARN. */
  readonly cluster: string;
  /** ECS service name (or `family-<family>` for standalone tasks, as in service metrics). */
  readonly service: string;
  /** The Mackerel service that receives service metrics (MACKEREL_SERVICE); no service graphs without it. */
  readonly mackerelService?: string;
  /** Mackerel hosts of the container instances the service's tasks run on. */
  readonly hosts: readonly DashboardHost[];
  readonly graphs: readonly DashboardGraphInput[];
  /** Metric keys of the service's tasks; with `METRIC_KEY=slot` they are stable, so lines can be named. */
  readonly taskKeys?: readonly string[];
}

/** A widget before layout: the size it asks for, and how to finish it once placed. */
type Unplaced = { readonly size: WidgetRequest; place(layout: WidgetLayout): DashboardWidget };

const URL_NODE_BAD = /[^-A-Za-z0-9_]/g;

/** One urlPath segment: `[A-Za-z0-9_][-A-Za-z0-9_]*` (a leading `-` gets a `_` in front). */
function urlSegment(raw: string): string {
  const s = raw.replace(URL_NODE_BAD, '_');
  return s === '' ? '_' : s.startsWith('-') ? `_${s}` : s;
}

/** `ecs/<cluster>/<service>`, each segment sanitised to the API's urlPath rule. */
export function dashboardUrlPath(cluster: string, service: string): string {
  return ['ecs', urlSegment(clusterName(cluster)), urlSegment(service)].join('/');
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Graphs sorted by (prefix, graph), the same graph from several inputs merged, metric order kept. */
function mergeGraphs(graphs: readonly DashboardGraphInput[]): DashboardGraphInput[] {
  const byKey = new Map<string, DashboardGraphInput & { metrics: string[] }>();
  for (const g of graphs) {
    const key = `${g.prefix}\u0000${g.graph}`;
    const known = byKey.get(key);
    if (known === undefined) byKey.set(key, { ...g, metrics: [...new Set(g.metrics)] });
    else for (const m of g.metrics) if (!known.metrics.includes(m)) known.metrics.push(m);
  }
  return [...byKey.values()].sort((a, b) => cmp(a.prefix, b.prefix) || cmp(a.graph, b.graph));
}

const markdown = (title: string, text: string, height: number): Unplaced => ({
  size: { kind: 'markdown', width: 24, height },
  place: (layout) => ({ type: 'markdown', title, markdown: text, layout }),
});
const graphWidget = (title: string, graph: DashboardGraph): Unplaced => ({
  size: { kind: 'graph', ...GRAPH_SIZE },
  place: (layout) => ({ type: 'graph', title, graph, layout }),
});
const label = (g: DashboardGraphInput, metric: string): string => `${g.displayName || g.graph}: ${metric === '*' ? 'all series' : metric}`;

/** Builds the dashboard body of one service; see the README "Dashboards" section for a sample. */
export function buildServiceDashboard(input: ServiceDashboardInput): DashboardBody {
  const cluster = clusterName(input.cluster);
  const graphs = mergeGraphs(input.graphs);
  const base = serviceMetricBase(cluster, input.service);
  const service: Unplaced[] = [];
  let serviceLeftOut = 0;
  if (input.mackerelService !== undefined && base !== undefined) {
    const serviceName = input.mackerelService;
    // Service graph `name`: names up to the last dot, e.g. `ecs.prod.api.tasks` holds `…tasks.running`.
    service.push(graphWidget('Running tasks', { type: 'service', serviceName, name: `${base}.tasks` }));
    for (const g of graphs) {
      for (const m of g.metrics) {
        const name = m === '*' || m === '#' ? undefined : aggregateGraphName(base, g.prefix, g.graph, m);
        if (name === undefined) continue;
        if (service.length > MAX_SERVICE_GRAPH_WIDGETS) serviceLeftOut++;
        else service.push(graphWidget(`${label(g, m)} (sum, avg of tasks)`, { type: 'service', serviceName, name }));
      }
    }
  }
  const perTask: Unplaced[] = [];
  let taskLeftOut = 0;
  for (const g of graphs) {
    for (const m of g.metrics) {
      const expression = perTaskExpression(input.hosts, input.taskKeys, g.prefix, g.graph, m);
      if (expression === undefined) continue;
      if (perTask.length >= MAX_TASK_GRAPH_WIDGETS) taskLeftOut++;
      else perTask.push(graphWidget(`${label(g, m)} per task`, { type: 'expression', expression }));
    }
  }

  const title = `ECS ${cluster}/${input.service}`;
  const lines = [
    `**${title}**: generated by mackerel-ecs-collector (\`mackerel-ecs-collector dashboards\`). Do not edit by hand: changes are overwritten on the next run.`,
    input.mackerelService === undefined
      ? 'Service totals need MACKEREL_SERVICE (service metrics are off).'
      : `Service totals: metrics \`${base ?? '?'}.*\` of Mackerel service \`${input.mackerelService}\`${serviceLeftOut > 0 ? ` (${serviceLeftOut} more metrics not shown)` : ''}.`,
    perTask.length === 0
      ? 'Per task: no container instance host has metrics of this service (Fargate tasks have none).'
      : `Per task: custom metrics of the container instances' hosts${taskLeftOut > 0 ? ` (${taskLeftOut} more metrics not shown)` : ''}.`,
  ];
  const unplaced: Unplaced[] = [markdown('About this dashboard', lines.join('\n\n'), INTRO_HEIGHT)];
  if (service.length > 0) unplaced.push(markdown('', '## Service totals', HEADER_HEIGHT), ...service);
  if (perTask.length > 0) unplaced.push(markdown('', '## Per task', HEADER_HEIGHT), ...perTask);

  const layouts = layoutWidgets(unplaced.map((u) => u.size));
  const widgets = unplaced.map((u, i) => u.place(layouts[i] ?? { x: 0, y: 0, width: 24, height: 6 }));
  return {
    title,
    memo: 'Generated by mackerel-ecs-collector; edits made here are overwritten.',
    urlPath: dashboardUrlPath(cluster, input.service),
    widgets,
  };
}
