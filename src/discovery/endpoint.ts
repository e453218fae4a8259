/**
 * The metrics endpoint of one container (port, format, path, prefix) and the checks shared by docker labels
 * and TARGET_RULES, so that a value is accepted or refused the same way wherever it comes from.
 */
import { METRIC_FORMATS, type MetricFormat } from '../types';
import { err, ok, type Result } from '../result';

/** Where a container serves metrics, before it is placed on an address. */
export interface MetricsEndpoint {
  /** The container port (resolved to a host port for bridge tasks). */
  readonly port: number;
  readonly format: MetricFormat;
  readonly path: string;
  readonly prefix: string;
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

/** Optional overrides of the four fields; which source supplied them is the caller's business. */
export interface EndpointFields {
  readonly format?: MetricFormat;
  readonly path?: string;
  readonly prefix?: string;
}

/** Fills defaults: format prometheus, path per format, prefix = the format name. */
export function completeEndpoint(port: number, fields: EndpointFields): MetricsEndpoint {
  const format = fields.format ?? 'prometheus';
  return { port, format, path: fields.path ?? defaultPath(format), prefix: fields.prefix ?? format };
}
