/**
 * The metrics endpoint of one container (port, format, path, prefix, name filters) and the checks shared by
 * docker labels and TARGET_RULES, so that a value is accepted or refused the same way wherever it comes from.
 */
import { MAX_MAX_NAMES, MIN_MAX_NAMES } from '../filter/metricFilter';
import { compileFilterPattern } from '../filter/patternCache';
import { METRIC_FORMATS, type MetricFormat } from '../types';
import { err, ok, type Result } from '../result';

/** Where a container serves metrics, before it is placed on an address. */
export interface MetricsEndpoint {
  /** The container port (resolved to a host port for bridge tasks). */
  readonly port: number;
  readonly format: MetricFormat;
  readonly path: string;
  readonly prefix: string;
  /** Name filters (src/filter/metricFilter.ts); absent: every name passes, MAX_NAMES_PER_TARGET applies. */
  readonly include?: string;
  readonly exclude?: string;
  readonly maxNames?: number;
}

/** One Mackerel metric name node (reference/mackerel-api.md). */
const NODE_RE = /^[-a-zA-Z0-9_]+$/;
/** A path: starts with `/`, no whitespace or control characters (they would break the request line). */
const PATH_RE = /^\/[^\s\p{Cc}]*$/u;

/** Default path per format: mackerel-plugin-gostats reads `/api/stats` (golang-stats-api-handler's usual mount). */
export function defaultPath(format: MetricFormat): string {
  return format === 'gostats' ? '/api/stats' : '/metrics';
}

/** A TCP port number, or why not. */
export function checkPort(value: number): Result<number, string> {
  return Number.isInteger(value) && value >= 1 && value <= 65535 ? ok(value) : err('must be an integer 1-65535');
}

/** A port from a docker label: the whole string must be decimal digits. */
export function parsePortText(text: string): Result<number, string> {
  const trimmed = text.trim();
  return /^[0-9]{1,5}$/.test(trimmed) ? checkPort(Number(trimmed)) : err('must be an integer 1-65535');
}

/** One of the known formats, or why not. */
export function checkFormat(value: string): Result<MetricFormat, string> {
  const found = METRIC_FORMATS.find((f) => f === value.trim());
  return found ? ok(found) : err(`must be one of ${METRIC_FORMATS.join(', ')}`);
}

/** An HTTP path, or why not. */
export function checkPath(value: string): Result<string, string> {
  return PATH_RE.test(value) ? ok(value) : err("must start with '/' and contain no whitespace or control characters");
}

/** A metric name node, or why not. Refused rather than rewritten so two prefixes never collide silently. */
export function checkPrefix(value: string): Result<string, string> {
  return NODE_RE.test(value) ? ok(value) : err('must be one metric name node: letters, digits, "-" and "_" only');
}

/**
 * A name filter (`mackerel.metrics.include|exclude`, a rule's `include|exclude`): an RE2 pattern that compiles,
 * trimmed (names hold no whitespace), or why not. Compiled through the cache the pipeline runs it from, so
 * what is accepted here is exactly what runs.
 */
export function checkFilterPattern(value: string): Result<string, string> {
  const source = value.trim();
  if (source === '') return err('must be a non-empty regular expression');
  const compiled = compileFilterPattern(source);
  return compiled.ok ? ok(source) : err(`is not a valid regular expression: ${compiled.error}`);
}

const MAX_NAMES_RANGE = `must be an integer ${MIN_MAX_NAMES}-${MAX_MAX_NAMES}`;

/** A per-target name cap (a rule's `maxNames`), or why not. */
export function checkMaxNames(value: number): Result<number, string> {
  return Number.isInteger(value) && value >= MIN_MAX_NAMES && value <= MAX_MAX_NAMES ? ok(value) : err(MAX_NAMES_RANGE);
}

/** A per-target name cap from a docker label (`mackerel.metrics.max-names`): decimal digits only. */
export function parseMaxNamesText(text: string): Result<number, string> {
  const trimmed = text.trim();
  return /^[0-9]{1,6}$/.test(trimmed) ? checkMaxNames(Number(trimmed)) : err(MAX_NAMES_RANGE);
}

/** Optional overrides of the endpoint's fields; which source supplied them is the caller's business. */
export interface EndpointFields {
  readonly format?: MetricFormat;
  readonly path?: string;
  readonly prefix?: string;
  readonly include?: string;
  readonly exclude?: string;
  readonly maxNames?: number;
}

/** Fills defaults: format prometheus, path per format, prefix = the format name; filters only when given. */
export function completeEndpoint(port: number, fields: EndpointFields): MetricsEndpoint {
  const format = fields.format ?? 'prometheus';
  const { include, exclude, maxNames } = fields;
  return {
    port,
    format,
    path: fields.path ?? defaultPath(format),
    prefix: fields.prefix ?? format,
    ...(include === undefined ? {} : { include }),
    ...(exclude === undefined ? {} : { exclude }),
    ...(maxNames === undefined ? {} : { maxNames }),
  };
}
