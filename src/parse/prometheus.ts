import { sanitizeNode } from '../mackerel/naming';
import { err, ok, type Result } from '../result';
import type { Sample } from '../types';
import { perSecondRate } from './counters';
import { DROP, DropTally } from './drops';
import { ParseError, quote } from './errors';
import { detach, LineCursor } from './lines';
import { promRole, type PromRole } from './promFamilies';
import { scanPromLine } from './promLine';
import { SeriesBook } from './promSeries';
import { sampleTimes } from './sampleTime';
import { nameSeries } from './seriesName';
import { PAUSE_EVERY_LINES, runNow, type Steps } from './steps';
import { DEFAULT_MAX_SERIES_PER_FAMILY, DEFAULT_MAX_SERIES_PER_TARGET, type ParseContext, type ParseOutput } from './types';

export { UNLABELLED_METRIC } from './seriesName';

type SampleLine = Extract<ReturnType<typeof scanPromLine>, { kind: 'sample' }>;

/** The first line that could not be read: quoted in the ParseError when nothing else could be read either. */
interface Unreadable {
  readonly reason: string;
  readonly lineNo: number;
}

/**
 * Parses a Prometheus text exposition (0.0.4, OpenMetrics tolerated) body. Graph = family name, metric = the
 * series' node (parse/seriesName.ts); what is posted per type is in parse/promFamilies.ts. Series are bounded
 * per graph and per target; the overflow is counted in `dropped`, and so is a series whose family name or a label
 * value could never fit a metric name (MAX_RAW_NAME_PART_LENGTH).
 *
 * Read line by line, as Prometheus reads text, and no more leniently: a line Prometheus would not read is skipped
 * and counted (`unparsable line`), the rest is posted. A body where no line is a sample and some line is
 * unparsable is invalid (a ParseError quoting the first such line): an HTML page or JSON served as /metrics
 * fails its target instead of posting nothing quietly. `# EOF` ends the body; non-blank lines after it are
 * unparsable. A line's own timestamp (milliseconds) is its Sample.time, and its counter rate is taken over those
 * times; a timestamp older than Mackerel's 24 h window or over 10 minutes ahead drops the sample (sampleTime.ts).
 */
export function parsePrometheus(body: string, ctx: ParseContext): Result<ParseOutput, ParseError> {
  return runNow(prometheusSteps(body, ctx));
}

/** {@link parsePrometheus} as steps that may pause between lines (parse/steps.ts). */
export function* prometheusSteps(body: string, ctx: ParseContext): Steps<Result<ParseOutput, ParseError>> {
  const book = new SeriesBook(ctx.maxSeriesPerFamily ?? DEFAULT_MAX_SERIES_PER_FAMILY, ctx.maxSeriesPerTarget ?? DEFAULT_MAX_SERIES_PER_TARGET);
  const types = new Map<string, string>();
  const roles = new Map<string, PromRole>();
  const drops = new DropTally();
  const samples: Sample[] = [];
  let sampleLines = 0;
  let ended = false;
  let firstUnreadable: Unreadable | undefined;
  const unreadable = (reason: string, line: string, lineNo: number): void => {
    drops.add(DROP.unparsable);
    firstUnreadable ??= { reason: `${reason}: ${quote(line)}`, lineNo };
  };
  const lines = new LineCursor(body);
  for (let raw = lines.next(); raw !== undefined; raw = lines.next()) {
    if (lines.lineNo % PAUSE_EVERY_LINES === 0) yield;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (ended) {
      if (line.trim() !== '') unreadable('text after # EOF', line, lines.lineNo);
      continue;
    }
    const parsed = scanPromLine(line);
    if (parsed.kind === 'skip') continue;
    if (parsed.kind === 'eof') ended = true;
    else if (parsed.kind === 'error') unreadable(parsed.reason, line, lines.lineNo);
    else if (parsed.kind === 'type') types.set(parsed.family, parsed.type);
    else if (parsed.kind === 'too-long') {
      sampleLines++;
      drops.add(DROP.tooLong);
    } else {
      sampleLines++;
      let role = roles.get(parsed.name);
      if (role === undefined) {
        role = promRole(parsed.name, types);
        roles.set(parsed.name, role);
      }
      const dropped = addSample(parsed, role, ctx, book, samples, drops);
      if (dropped !== undefined) drops.add(dropped);
    }
  }
  if (sampleLines === 0 && firstUnreadable !== undefined) {
    return err(new ParseError(ctx.targetId, 'prometheus', firstUnreadable.reason, firstUnreadable.lineNo));
  }
  return ok({ samples, graphs: book.graphMetas(), dropped: drops.list(), collisions: book.collisions() });
}

/** Turns one sample line into a Sample (or a counter baseline), or returns why it is dropped. */
function addSample(parsed: SampleLine, role: PromRole, ctx: ParseContext, book: SeriesBook, samples: Sample[], drops: DropTally): string | undefined {
  if (role.kind === 'drop') return role.reason;
  if (!Number.isFinite(parsed.value)) return DROP.nonFinite;
  if (role.kind === 'info-like' && parsed.value === 1) return DROP.info;
  const times = sampleTimes(parsed.timestampMs, ctx.now);
  if (times === undefined) return DROP.timestamp;
  const { node, identity } = nameSeries(parsed.labels, role.kind === 'summary');
  // Detached: these strings outlive the body (samples, graph keys, counter keys across cycles).
  const graph = detach(sanitizeNode(role.graph));
  const metric = detach(node);
  // The sample name quoted: since Prometheus 3 it may hold any character, so it is delimited before the labels.
  const series = detach(`${JSON.stringify(parsed.name)}${identity}`);
  const admission = book.admit(graph, role.unit, metric, series);
  if (admission !== 'kept') return admission;
  // Keyed on the series' own identity, not its node: two series never share a baseline, even in different cycles.
  const value = role.kind === 'rate' ? perSecondRate(ctx.counters, `${ctx.targetId}|prom.${series}`, parsed.value, times.exact, drops) : parsed.value;
  if (value !== undefined) samples.push({ graph, metric, value, time: times.time });
  return undefined;
}
