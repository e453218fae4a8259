import type { Result } from '../result';
import type { MetricFormat } from '../types';
import type { ParseError } from './errors';
import { parseGostats } from './gostats';
import { parsePluginText } from './pluginText';
import { parsePrometheus } from './prometheus';
import type { ParseContext, ParseOutput } from './types';

export { ParseError } from './errors';
export { GOSTATS_DIFF_METRICS, GOSTATS_GRAPHS } from './gostats';
export {
  DEFAULT_MAX_SERIES_PER_FAMILY,
  DEFAULT_MAX_SERIES_PER_TARGET,
  type DropCount,
  type GraphMeta,
  type GraphMetaMetric,
  type ParseContext,
  type ParseOutput,
} from './types';

/**
 * Parses one scraped body into samples, graph metadata and drop counts. Pure apart from `ctx.counters`
 * (counter baselines). A body that cannot be used at all is a ParseError; problems with single values are
 * counted in `dropped`.
 */
export function parseBody(format: MetricFormat, body: string, ctx: ParseContext): Result<ParseOutput, ParseError> {
  switch (format) {
    case 'gostats':
      return parseGostats(body, ctx);
    case 'prometheus':
      return parsePrometheus(body, ctx);
    case 'plugin':
      return parsePluginText(body, ctx);
  }
}
