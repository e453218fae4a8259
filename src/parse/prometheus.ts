import { sanitizeNode } from '../mackerel/naming';
import { err, ok, type Result } from '../result';
import type { GraphUnit, Sample } from '../types';
import { perSecondRate } from './counters';
import { DROP, DropTally } from './drops';
import { ParseError, quote } from './errors';
import { detach, LineCursor } from './lines';
import { promRole, type PromRole } from './promFamilies';
import { scanPromLine } from './promLine';
import { PAUSE_EVERY_LINES, runNow, type Steps } from './steps';
import {
  DEFAULT_MAX_SERIES_PER_FAMILY,
  DEFAULT_MAX_SERIES_PER_TARGET,
  type GraphMeta,
  type ParseContext,
  type ParseOutput,
} from './types';

/** Metric node of an unlabelled series. */
export const UNLABELLED_METRIC = 'value';

interface GraphState {
  readonly unit: GraphUnit;
  readonly names: Set<string>;
  labelled: boolean;
}

/** `label values joined with _`, empty values skipped; a summary quantile becomes a trailing `q0_99`. */
function seriesNode(labels: readonly (readonly [string, string])[], quantileToo: boolean): string {
  const parts: string[] = [];
  let quantile: string | undefined;
  for (const [name, value] of labels) {
    if (quantileToo && name === 'quantile') quantile = value;
    else if (value !== '') parts.push(value);
  }
  if (quantile !== undefined) parts.push(`q${quantile}`);
  return parts.length === 0 ? UNLABELLED_METRIC : sanitizeNode(parts.join('_'));
}

function graphMetas(graphs: Map<string, GraphState>): GraphMeta[] {
  return [...graphs].map(([graph, g]) => ({
    graph,
    displayName: graph,
    unit: g.unit,
    // `%1` is the label series the `*` matched (graphDefs adds the task key in front).
    metrics: [g.labelled ? { name: '*', displayName: '%1' } : { name: UNLABELLED_METRIC, displayName: '' }],
  }));
}

/**
 * Parses a Prometheus text exposition (0.0.4) body. Graph = family name, metric = label values; counters and
 * histogram/summary `_count`/`_sum` become per-second rates. Series are bounded per graph and per target; the
 * overflow is counted in `dropped`, and so is a series whose family name or a label value could never fit
 * a metric name (MAX_RAW_NAME_PART_LENGTH). One malformed line rejects the whole body: posting the lines
 * around it would make a half-read scrape look like real data.
 */
export function parsePrometheus(body: string, ctx: ParseContext): Result<ParseOutput, ParseError> {
  return runNow(prometheusSteps(body, ctx));
}

/** {@link parsePrometheus} as steps that may pause between lines (parse/steps.ts). */
export function* prometheusSteps(body: string, ctx: ParseContext): Steps<Result<ParseOutput, ParseError>> {
  const maxFamily = ctx.maxSeriesPerFamily ?? DEFAULT_MAX_SERIES_PER_FAMILY;
  const maxTarget = ctx.maxSeriesPerTarget ?? DEFAULT_MAX_SERIES_PER_TARGET;
  const time = Math.floor(ctx.now);
  const types = new Map<string, string>();
  const roles = new Map<string, PromRole>();
  const graphs = new Map<string, GraphState>();
  const drops = new DropTally();
  const samples: Sample[] = [];
  let series = 0;
  const lines = new LineCursor(body);
  for (let raw = lines.next(); raw !== undefined; raw = lines.next()) {
    if (lines.lineNo % PAUSE_EVERY_LINES === 0) yield;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const parsed = scanPromLine(line);
    if (parsed.kind === 'skip') continue;
    if (parsed.kind === 'error') {
      return err(new ParseError(ctx.targetId, 'prometheus', `${parsed.reason}: ${quote(line)}`, lines.lineNo));
    }
    if (parsed.kind === 'too-long') {
      drops.add(DROP.tooLong);
      continue;
    }
    if (parsed.kind === 'type') {
      types.set(parsed.family, parsed.type);
      continue;
    }
    let role = roles.get(parsed.name);
    if (role === undefined) {
      role = promRole(parsed.name, types);
      roles.set(parsed.name, role);
    }
    if (role.kind === 'drop') {
      drops.add(role.reason);
      continue;
    }
    if (!Number.isFinite(parsed.value)) {
      drops.add(DROP.nonFinite);
      continue;
    }
    // Detached: these strings outlive the body (samples, graph keys, counter keys across cycles).
    const graph = detach(sanitizeNode(role.graph));
    const metric = detach(seriesNode(parsed.labels, role.kind === 'summary'));
    let g = graphs.get(graph);
    if (g?.names.has(metric)) {
      drops.add(DROP.duplicate);
      continue;
    }
    if ((g?.names.size ?? 0) >= maxFamily) {
      drops.add(DROP.familyLimit);
      continue;
    }
    if (series >= maxTarget) {
      drops.add(DROP.targetLimit);
      continue;
    }
    if (g === undefined) {
      g = { unit: role.unit, names: new Set(), labelled: false };
      graphs.set(graph, g);
    }
    g.names.add(metric);
    if (metric !== UNLABELLED_METRIC) g.labelled = true;
    series++;
    const value =
      role.kind === 'rate'
        ? perSecondRate(ctx.counters, `${ctx.targetId}|prom.${graph}.${metric}`, parsed.value, ctx.now, drops)
        : parsed.value;
    if (value !== undefined) samples.push({ graph, metric, value, time });
  }
  return ok({ samples, graphs: graphMetas(graphs), dropped: drops.list() });
}
