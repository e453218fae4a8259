import { err, type Result } from '../result';
import type { MetricFormat } from '../types';
import { ParseError } from './errors';
import { parseGostats } from './gostats';
import { pluginTextSteps } from './pluginText';
import { prometheusSteps } from './prometheus';
import { runCooperatively, runNow, type Steps } from './steps';
import type { ParseContext, ParseOutput } from './types';

export { ParseError } from './errors';
export { GOSTATS_DIFF_METRICS, GOSTATS_GRAPHS } from './gostats';
export {
  DEFAULT_MAX_SERIES_PER_FAMILY,
  DEFAULT_MAX_SERIES_PER_TARGET,
  type DropCount,
  type GraphMeta,
  type GraphMetaMetric,
  type NameCollision,
  type ParseContext,
  type ParseOutput,
} from './types';

type Parsed = Result<ParseOutput, ParseError>;

/** gostats is one JSON.parse (a 4 MiB body is tens of milliseconds): one pause point, before it. */
function* gostatsSteps(body: string, ctx: ParseContext): Steps<Parsed> {
  yield;
  return parseGostats(body, ctx);
}

function stepsOf(format: MetricFormat, body: string, ctx: ParseContext): Steps<Parsed> {
  switch (format) {
    case 'gostats':
      return gostatsSteps(body, ctx);
    case 'prometheus':
      return prometheusSteps(body, ctx);
    case 'plugin':
      return pluginTextSteps(body, ctx);
  }
}

/**
 * Parses one scraped body into samples, graph metadata and drop counts. Pure apart from `ctx.counters`
 * (counter baselines). A body that cannot be used at all is a ParseError; problems with single values are
 * counted in `dropped`. Runs to the end at once: the pipeline uses {@link parseBodyCooperatively}.
 */
export function parseBody(format: MetricFormat, body: string, ctx: ParseContext): Parsed {
  return runNow(stepsOf(format, body, ctx));
}

/**
 * {@link parseBody} that shares the event loop: on a large body it pauses between slices of lines
 * (util/cooperate.ts), so timers (per-scrape and cycle deadlines) and other sockets are served while it runs.
 * Same results as parseBody. When `signal` fires during a pause the rest is not parsed: a ParseError.
 */
export async function parseBodyCooperatively(format: MetricFormat, body: string, ctx: ParseContext, signal?: AbortSignal): Promise<Parsed> {
  const parsed = await runCooperatively(stepsOf(format, body, ctx), signal);
  if (parsed === 'aborted') return err(new ParseError(ctx.targetId, format, 'aborted before the body was parsed (the cycle deadline passed)'));
  return parsed;
}
