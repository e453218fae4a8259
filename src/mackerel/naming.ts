import { CollectorError } from '../errors';
import { err, ok, type Result } from '../result';
import type { Sample, StatelessKeyMode, Target } from '../types';

/**
 * The one module that builds Mackerel metric names: `custom.<prefix>.<key>.<graph>.<metric>`, the seed's
 * layout (it ran mackerel-plugin-gostats with `-metric-key-prefix=gostats.<port>`; the agent adds `custom.`).
 */

/** Longest `<key>` node: room for a readable service name plus the 8-character task id. */
export const MAX_KEY_LENGTH = 48;
/** Characters of the task id in a task key: enough to tell a service's tasks apart, short in legends. */
export const TASK_ID_CHARS = 8;

const SAFE_NODE = /^[-a-zA-Z0-9_]+$/;
// `u`: one `_` per code point, so an emoji is one `_`, not two.
const UNSAFE_CHAR = /[^-a-zA-Z0-9_]/gu;
// Linear: `.` never matches inside a node, so the groups cannot overlap (API doc, host-metrics).
const METRIC_NAME = /^custom(\.[-a-zA-Z0-9_]+)+$/;
const MAX_QUOTE_CHARS = 80;

/**
 * Longest metric name we post. Mackerel documents no maximum: the API docs (host-metrics, "Post Metrics")
 * give only the characters `[a-zA-Z0-9._-]` and the `custom.` start, so this is our own bound, chosen safe:
 * 255 is the usual ceiling for a metric name in time-series APIs (CloudWatch's MetricName is 1-255), it
 * leaves ample room for our layout with real exporters (`custom.` + prefix + a key of at most 48 + family +
 * label values: the seed's names are about 45 characters), and a longer name is unreadable in Mackerel's
 * legends and travels in URLs (`GET /api/v0/tsdb/latest?name=…`). Without a bound one 10 MiB exposition line
 * became one 10 MiB metric name.
 */
export const MAX_METRIC_NAME_LENGTH = 255;

/**
 * A raw part longer than this can never fit {@link MAX_METRIC_NAME_LENGTH}, even after sanitising: each code
 * point becomes at most one character, and a code point is at most two UTF-16 units. Parsers drop such parts
 * before building any string from them.
 */
export const MAX_RAW_NAME_PART_LENGTH = 2 * MAX_METRIC_NAME_LENGTH;

/** The reason counted in a target's `dropped` for a name over {@link MAX_METRIC_NAME_LENGTH}. */
export const NAME_TOO_LONG = 'metric name too long';

/** Why a name could not be built: an empty node, or longer than {@link MAX_METRIC_NAME_LENGTH}. */
export type NamingErrorKind = 'invalid' | 'too-long';

/** A metric name that cannot be made valid (an empty node) or is too long; the sample is dropped and counted. */
export class NamingError extends CollectorError {
  override readonly name = 'NamingError';
  constructor(
    readonly candidate: string,
    reason: string,
    readonly kind: NamingErrorKind = 'invalid',
  ) {
    super(`cannot build a metric name from ${cut(candidate)}: ${reason}`);
  }
}

function cut(s: string): string {
  return s.length > MAX_QUOTE_CHARS ? `${JSON.stringify(s.slice(0, MAX_QUOTE_CHARS))}…` : JSON.stringify(s);
}

/** Replaces every character Mackerel does not allow in a name node (`[-a-zA-Z0-9_]`) with `_`. */
export function sanitizeNode(s: string): string {
  return SAFE_NODE.test(s) ? s : s.replace(UNSAFE_CHAR, '_');
}

/**
 * The `<key>` node that tells tasks apart on one host. `task`: `<service, else family>-<first 8 chars of the
 * task id>` (e.g. `api-3f2a9c1e`), at most {@link MAX_KEY_LENGTH} characters; the service part is cut, the id
 * kept. `port`: the scraped port, which gives exactly the seed's names.
 */
export function metricKey(target: Pick<Target, 'service' | 'family' | 'taskId' | 'port'>, mode: StatelessKeyMode): string {
  if (mode === 'port') return String(target.port);
  const id = sanitizeNode(target.taskId.slice(0, TASK_ID_CHARS));
  const base = sanitizeNode(target.service || target.family);
  const room = Math.max(0, MAX_KEY_LENGTH - id.length - (id === '' ? 0 : 1));
  return [base.slice(0, room), id].filter((p) => p !== '').join('-');
}

/** True when `name` is a valid custom host metric name for `POST /api/v0/tsdb` (no wildcards). */
export function isValidMetricName(name: string): boolean {
  return METRIC_NAME.test(name);
}

/**
 * Builds `custom.<prefix>.<key>.<graph>.<metric>`. `prefix` and `graph` may hold dots (one node each side of
 * a dot); `key` and `metric` are one node each. Every node is sanitised; an empty node cannot be repaired
 * and gives a NamingError, and so does a name over {@link MAX_METRIC_NAME_LENGTH} characters (kind
 * `too-long`; nothing is cut, since a cut name could collide with another series).
 */
export function metricName(prefix: string, key: string, sample: Pick<Sample, 'graph' | 'metric'>): Result<string, NamingError> {
  const tooLong = (): Result<string, NamingError> =>
    err(new NamingError(`${prefix.slice(0, MAX_QUOTE_CHARS)}.${key.slice(0, MAX_QUOTE_CHARS)}.${sample.graph.slice(0, MAX_QUOTE_CHARS)}…`, `longer than ${MAX_METRIC_NAME_LENGTH} characters`, 'too-long'));
  // Checked before any node is split or sanitised, so a megabyte of label text costs no megabyte of copies.
  if (prefix.length + key.length + sample.graph.length + sample.metric.length > MAX_RAW_NAME_PART_LENGTH) return tooLong();
  const nodes = ['custom'];
  const parts: readonly (readonly [string, string, boolean])[] = [
    ['prefix', prefix, true],
    ['key', key, false],
    ['graph', sample.graph, true],
    ['metric', sample.metric, false],
  ];
  for (const [part, raw, dotted] of parts) {
    for (const node of dotted ? raw.split('.') : [raw]) {
      const clean = sanitizeNode(node);
      if (clean === '') {
        return err(new NamingError(`${prefix}.${key}.${sample.graph}.${sample.metric}`, `empty ${part} node`));
      }
      nodes.push(clean);
    }
  }
  const name = nodes.join('.');
  if (name.length > MAX_METRIC_NAME_LENGTH) return tooLong();
  return isValidMetricName(name) ? ok(name) : err(new NamingError(name, 'not a valid Mackerel metric name'));
}
