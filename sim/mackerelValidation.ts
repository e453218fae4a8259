/**
 * Validation of the bodies the collector posts, stricter than Mackerel where Mackerel would silently accept
 * something useless (a value older than 24 h is dropped with 200 by the real API; here it is a 400 so tests
 * notice). Each function returns the message of the first problem, or undefined when the body is valid.
 * Rules: reference/mackerel-api.md §2 and §5, and the API docs' "custom metric names and wildcards".
 */

/** Custom host metric names the collector may post (no wildcards in values). */
const CUSTOM_METRIC = /^custom(\.[-a-zA-Z0-9_]+)+$/;
/** Graph definition names: nodes of `[-a-zA-Z0-9_]+`, or exactly `*` or `#`. */
const GRAPH_NAME = /^custom(\.([-a-zA-Z0-9_]+|[*#]))+$/;
const NODE = /^([-a-zA-Z0-9_]+|[*#])$/;
/** Units a graph definition may use. */
export const GRAPH_UNITS: readonly string[] = [
  'float', 'integer', 'percentage', 'seconds', 'milliseconds', 'bytes', 'bytes/sec', 'bits/sec', 'iops',
];
/** Mackerel drops values older than this (with 200); we reject them. */
const MAX_AGE_S = 24 * 60 * 60;
/** Tolerated clock skew into the future (mackerel-agent accepts plugin timestamps within ±15 min). */
const MAX_FUTURE_S = 15 * 60;
const METRIC_KEYS = ['hostId', 'name', 'time', 'value'];

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const show = (v: unknown): string => JSON.stringify(v) ?? String(v);

/** Checks a `POST /api/v0/tsdb` body: an array of exactly `{hostId, name, time, value}`. */
export function validateMetricValues(
  body: unknown,
  isLiveHost: (hostId: string) => boolean,
  nowS: number,
): string | undefined {
  if (!Array.isArray(body)) return 'body must be a JSON array of metric values';
  for (const [i, item] of body.entries()) {
    const at = `item ${i}`;
    if (!isObject(item)) return `${at}: not an object`;
    const keys = Object.keys(item);
    const extra = keys.find((k) => !METRIC_KEYS.includes(k));
    if (extra !== undefined) return `${at}: unexpected key ${show(extra)}`;
    const missing = METRIC_KEYS.find((k) => !(k in item));
    if (missing !== undefined) return `${at}: missing ${missing}`;
    const { hostId, name, time, value } = item;
    if (typeof hostId !== 'string' || !isLiveHost(hostId)) return `${at}: unknown or retired hostId ${show(hostId)}`;
    if (typeof name !== 'string' || !CUSTOM_METRIC.test(name)) {
      return `${at}: invalid metric name ${show(name)} (must match ${CUSTOM_METRIC.source})`;
    }
    if (typeof time !== 'number' || !Number.isInteger(time)) return `${at} (${name}): time ${show(time)} is not integer epoch seconds`;
    if (time < nowS - MAX_AGE_S) return `${at} (${name}): time ${time} is older than 24 hours`;
    if (time > nowS + MAX_FUTURE_S) return `${at} (${name}): time ${time} is in the future`;
    if (typeof value !== 'number' || !Number.isFinite(value)) return `${at} (${name}): value ${show(value)} is not a finite number`;
  }
  return undefined;
}

/** Checks a `POST /api/v0/graph-defs/create` body. */
export function validateGraphDefs(body: unknown): string | undefined {
  if (!Array.isArray(body)) return 'body must be a JSON array of graph definitions';
  for (const [i, def] of body.entries()) {
    const problem = graphDefProblem(def);
    if (problem) return `graph ${i}${isObject(def) && typeof def.name === 'string' ? ` (${def.name})` : ''}: ${problem}`;
  }
  return undefined;
}

function graphDefProblem(def: unknown): string | undefined {
  if (!isObject(def)) return 'not an object';
  const extra = Object.keys(def).find((k) => !['name', 'displayName', 'unit', 'metrics'].includes(k));
  if (extra !== undefined) return `unexpected key ${show(extra)}`;
  const { name, displayName, unit, metrics } = def;
  if (typeof name !== 'string' || !GRAPH_NAME.test(name)) return `invalid graph name ${show(name)}`;
  if (countHash(name) > 1) return 'at most one # per name';
  if (displayName !== undefined && typeof displayName !== 'string') return 'displayName must be a string';
  if (unit !== undefined && (typeof unit !== 'string' || !GRAPH_UNITS.includes(unit))) return `invalid unit ${show(unit)}`;
  if (!Array.isArray(metrics) || metrics.length === 0) return 'metrics must be a non-empty array';
  for (const [j, m] of metrics.entries()) {
    const problem = metricDefProblem(name, m);
    if (problem) return `metric ${j}: ${problem}`;
  }
  return undefined;
}

/**
 * A metric is `<graph name>.<node>`. The docs say a wildcard used in a metric must be in the graph name as
 * well; the graph part satisfies that by construction. A final `*` is accepted without one in the graph
 * name: plugins publish exactly that (mackerel-plugin-fluentd: graph `custom.fluentd.retry_count`, metric
 * `*`), and the collector's label series use `…<graph>.*`. A final `#` would need a second `#` or none in
 * the graph name; both are refused.
 */
function metricDefProblem(graph: string, m: unknown): string | undefined {
  if (!isObject(m)) return 'not an object';
  const extra = Object.keys(m).find((k) => !['name', 'displayName', 'isStacked'].includes(k));
  if (extra !== undefined) return `unexpected key ${show(extra)}`;
  const { name, displayName, isStacked } = m;
  if (typeof name !== 'string') return 'name must be a string';
  if (!name.startsWith(`${graph}.`)) return `name ${show(name)} must be the graph name plus one node`;
  const node = name.slice(graph.length + 1);
  if (!NODE.test(node)) return `name ${show(name)} must be the graph name plus one node`;
  if (countHash(name) > 1) return `name ${show(name)}: at most one # per name`;
  if (node === '#') return `name ${show(name)}: a # must appear in the graph name`;
  if (displayName !== undefined && typeof displayName !== 'string') return 'displayName must be a string';
  if (isStacked !== undefined && typeof isStacked !== 'boolean') return 'isStacked must be a boolean';
  return undefined;
}

function countHash(name: string): number {
  return name.split('.').filter((n) => n === '#').length;
}

/**
 * Check reports (API docs, check-monitoring#post, https://mackerel.io/api-docs/entry/check-monitoring#post;
 * mackerel-client-go checks.go `CheckReport`; reference/mackerel-api.md §13): `{"reports":[…]}`, at most 100.
 * Stricter than Mackerel where it silently accepts something useless: a report older than 6 hours is ignored
 * with 200 there and a 400 here, and a `notificationInterval` under 10 is raised to 10 there and a 400 here.
 * A report naming an unknown or retired host is a 400 here, as for tsdb posts; the API documents no status
 * for it (only 403 and "other than 200"), so the client treats every 4xx alike.
 */
export const MAX_CHECK_REPORTS = 100;
/** "under 1024 characters" (EN), "1024文字以下" (JA); mackerel-agent cuts at 1024 runes (mackerel/check.go). */
export const MAX_CHECK_MESSAGE_CHARS = 1024;
const CHECK_STATUSES: readonly string[] = ['OK', 'WARNING', 'CRITICAL', 'UNKNOWN'];
const CHECK_REPORT_KEYS = ['source', 'name', 'status', 'message', 'occurredAt', 'notificationInterval', 'maxCheckAttempts'];
const CHECK_REQUIRED_KEYS = ['source', 'name', 'status', 'message', 'occurredAt'];
/** "Posts will be ignored … when the time of monitoring proceeds the time of posting by 6 hours or more". */
const CHECK_MAX_AGE_S = 6 * 60 * 60;

/** Checks a `POST /api/v0/monitoring/checks/report` body; `isLiveHost` says whether a host id is known and not retired. */
export function validateCheckReports(body: unknown, isLiveHost: (hostId: string) => boolean, nowS: number): string | undefined {
  if (!isObject(body)) return 'body must be an object {"reports":[…]}';
  const extra = Object.keys(body).find((k) => k !== 'reports');
  if (extra !== undefined) return `unexpected key ${show(extra)}`;
  const { reports } = body;
  if (!Array.isArray(reports)) return 'reports must be an array';
  if (reports.length > MAX_CHECK_REPORTS) return `at most ${MAX_CHECK_REPORTS} reports per request, got ${reports.length}`;
  for (const [i, report] of reports.entries()) {
    const problem = checkReportProblem(report, isLiveHost, nowS);
    if (problem) return `report ${i}${isObject(report) && typeof report.name === 'string' ? ` (${report.name})` : ''}: ${problem}`;
  }
  return undefined;
}

function checkReportProblem(r: unknown, isLiveHost: (hostId: string) => boolean, nowS: number): string | undefined {
  if (!isObject(r)) return 'not an object';
  const extra = Object.keys(r).find((k) => !CHECK_REPORT_KEYS.includes(k));
  if (extra !== undefined) return `unexpected key ${show(extra)}`;
  const missing = CHECK_REQUIRED_KEYS.find((k) => !(k in r));
  if (missing !== undefined) return `missing ${missing}`;
  const { source, name, status, message, occurredAt, notificationInterval, maxCheckAttempts } = r;
  if (!isObject(source) || Object.keys(source).sort().join() !== 'hostId,type') return 'source must be exactly {"type":"host","hostId":…}';
  if (source.type !== 'host') return `source.type must be "host", got ${show(source.type)}`;
  if (typeof source.hostId !== 'string' || !isLiveHost(source.hostId)) return `unknown or retired hostId ${show(source.hostId)}`;
  if (typeof name !== 'string' || name === '') return 'name must be a non-empty string';
  if (typeof status !== 'string' || !CHECK_STATUSES.includes(status)) return `status must be one of ${CHECK_STATUSES.join(', ')}, got ${show(status)}`;
  if (typeof message !== 'string') return 'message must be a string';
  const length = [...message].length;
  if (length > MAX_CHECK_MESSAGE_CHARS) return `message has ${length} characters, more than ${MAX_CHECK_MESSAGE_CHARS}`;
  if (typeof occurredAt !== 'number' || !Number.isInteger(occurredAt)) return `occurredAt ${show(occurredAt)} is not integer epoch seconds`;
  if (occurredAt <= nowS - CHECK_MAX_AGE_S) return `occurredAt ${occurredAt} is 6 hours old or more`;
  if (occurredAt > nowS + MAX_FUTURE_S) return `occurredAt ${occurredAt} is in the future`;
  if (notificationInterval !== undefined && !(Number.isInteger(notificationInterval) && (notificationInterval as number) >= 10)) {
    return `notificationInterval ${show(notificationInterval)} must be an integer of at least 10 (minutes)`;
  }
  if (maxCheckAttempts !== undefined && !(Number.isInteger(maxCheckAttempts) && (maxCheckAttempts as number) >= 1 && (maxCheckAttempts as number) <= 10)) {
    return `maxCheckAttempts ${show(maxCheckAttempts)} must be an integer from 1 to 10`;
  }
  return undefined;
}
