import { err, ok, type Result } from '../result';
import type { Sample } from '../types';
import { MAX_RAW_NAME_PART_LENGTH } from '../mackerel/naming';
import { DROP, DropTally } from './drops';
import { ParseError, quote } from './errors';
import { detach, LineCursor } from './lines';
import { parseNumber } from './number';
import { metaCovers, metaGraphs, PLUGIN_META_HEADER } from './pluginMeta';
import { PAUSE_EVERY_LINES, runNow, type Steps } from './steps';
import { DEFAULT_MAX_SERIES_PER_TARGET, type GraphMeta, type ParseContext, type ParseOutput } from './types';

/** Names the agent accepts (reference/mackerel-api.md §9). Linear: one character class. */
const PLUGIN_NAME = /^[-a-zA-Z0-9_.]+$/;
const FIELD_SEPARATOR = /\s+/;
/** Metric node for a one-node plugin name (`foo` → graph `foo`, metric `value`): a graph needs a metric node. */
export const SINGLE_NODE_METRIC = 'value';

function hasEmptyNode(name: string): boolean {
  return name.startsWith('.') || name.endsWith('.') || name.includes('..');
}

/** Splits `a.b.c` into graph `a.b` and metric `c`; a one-node name is its own graph with metric `value`. */
function splitName(name: string): { graph: string; metric: string } {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? { graph: name, metric: SINGLE_NODE_METRIC } : { graph: name.slice(0, dot), metric: name.slice(dot + 1) };
}

/** META from the first two lines (`# mackerel-agent-plugin`, then one line of JSON, as go plugins print it). */
function readMeta(lines: readonly string[], drops: DropTally): { metas: GraphMeta[]; skip: number } {
  if (!PLUGIN_META_HEADER.test(lines[0] ?? '')) return { metas: [], skip: 0 };
  const json = (lines[1] ?? '').trim();
  if (!json.startsWith('{')) return { metas: [], skip: 1 };
  let metas: GraphMeta[] | undefined;
  try {
    metas = metaGraphs(JSON.parse(json));
  } catch {
    metas = undefined;
  }
  if (metas === undefined) drops.add(DROP.badMeta);
  return { metas: metas ?? [], skip: 2 };
}

/**
 * Parses mackerel-agent plugin output: `name<ws>value<ws>epoch` per line. Like the agent, a line with fewer
 * than three fields or a bad value is dropped (counted), the plugin's timestamp is ignored (Sample.time is
 * the scrape time) and a repeated name keeps its last value. A name that could never fit a metric name
 * (MAX_RAW_NAME_PART_LENGTH) is dropped and counted too. Only a body with no metric line at all fails.
 */
export function parsePluginText(body: string, ctx: ParseContext): Result<ParseOutput, ParseError> {
  return runNow(pluginTextSteps(body, ctx));
}

/** {@link parsePluginText} as steps that may pause between lines (parse/steps.ts). */
export function* pluginTextSteps(body: string, ctx: ParseContext): Steps<Result<ParseOutput, ParseError>> {
  const maxTarget = ctx.maxSeriesPerTarget ?? DEFAULT_MAX_SERIES_PER_TARGET;
  const time = Math.floor(ctx.now);
  const drops = new DropTally();
  const cursor = new LineCursor(body);
  const head = [cursor.next(), cursor.next()].filter((l): l is string => l !== undefined);
  const { metas, skip } = readMeta(head, drops);
  const unread = head.slice(skip);
  const nextLine = (): string | undefined => unread.shift() ?? cursor.next();
  const byName = new Map<string, Sample>();
  let wellFormed = 0;
  // The first line that is neither blank nor a comment, quoted when no line is well formed.
  let first: string | undefined;
  let n = skip;
  for (let raw = nextLine(); raw !== undefined; raw = nextLine()) {
    if (++n % PAUSE_EVERY_LINES === 0) yield;
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    first ??= raw;
    const fields = line.split(FIELD_SEPARATOR);
    const [name = '', rawValue = ''] = fields;
    const value = fields.length < 3 ? undefined : parseNumber(rawValue);
    if (value === undefined) {
      drops.add(DROP.badLine);
      continue;
    }
    if (!PLUGIN_NAME.test(name) || hasEmptyNode(name)) {
      drops.add(DROP.badName);
      continue;
    }
    wellFormed++;
    if (name.length > MAX_RAW_NAME_PART_LENGTH) drops.add(DROP.tooLong);
    else if (!Number.isFinite(value)) drops.add(DROP.nonFinite);
    else if (byName.size >= maxTarget && !byName.has(name)) drops.add(DROP.targetLimit);
    // Detached: a name sliced from the body would keep the whole body alive as long as the sample lives.
    else byName.set(name, { ...splitName(detach(name)), value, time });
  }
  if (wellFormed === 0) {
    return err(new ParseError(ctx.targetId, 'plugin', `no "<name>\\t<value>\\t<epoch>" line in the body: ${quote(first ?? '')}`));
  }
  const samples = [...byName.values()];
  const graphs: GraphMeta[] = [...metas];
  const seen = new Set<string>();
  for (const s of samples) {
    if (seen.has(s.graph)) continue;
    seen.add(s.graph);
    if (metas.some((m) => metaCovers(m.graph, s.graph))) continue;
    graphs.push({ graph: s.graph, displayName: s.graph, unit: 'float', metrics: [{ name: '*', displayName: '%1' }] });
  }
  return ok({ samples, graphs, dropped: drops.list() });
}
