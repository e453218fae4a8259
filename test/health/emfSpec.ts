/**
 * A checker for CloudWatch Embedded Metric Format documents, written from the specification:
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 * (dimension limits from https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_Dimension.html).
 * Used by the health tests and by handler-level tests that capture what the Lambda writes to stdout.
 */

/** Units CloudWatch accepts (MetricDatum `Unit`, StandardUnit). */
export const EMF_UNITS: ReadonlySet<string> = new Set([
  'Seconds', 'Microseconds', 'Milliseconds', 'Bytes', 'Kilobytes', 'Megabytes', 'Gigabytes', 'Terabytes', 'Bits',
  'Kilobits', 'Megabits', 'Gigabits', 'Terabits', 'Percent', 'Count', 'Bytes/Second', 'Kilobytes/Second',
  'Megabytes/Second', 'Gigabytes/Second', 'Terabytes/Second', 'Bits/Second', 'Kilobits/Second', 'Megabits/Second',
  'Gigabits/Second', 'Terabits/Second', 'Count/Second', 'None',
]);
/** A MetricDirective's `Metrics` holds at most 100 MetricDefinitions. */
export const EMF_MAX_METRICS_PER_DIRECTIVE = 100;
/** A DimensionSet holds at most 30 dimension keys. */
export const EMF_MAX_DIMENSIONS_PER_SET = 30;
/** A metric member may be an array of at most 100 values. */
export const EMF_MAX_VALUES_PER_METRIC = 100;

/** One metric of a document, resolved: what CloudWatch would extract. */
export interface EmfMetric {
  readonly namespace: string;
  readonly name: string;
  readonly unit?: string;
  /** Each dimension set, resolved to key → value. */
  readonly dimensionSets: readonly Readonly<Record<string, string>>[];
  readonly values: readonly number[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Every way `doc` breaks the EMF specification; empty when it is a valid document. */
export function emfProblems(doc: unknown): string[] {
  const problems: string[] = [];
  if (!isObject(doc)) return ['the root is not a JSON object'];
  const aws = doc._aws;
  if (!isObject(aws)) return ['no _aws metadata object'];
  // Epoch milliseconds: an integer, and not a count of seconds (which would read as January 1970).
  if (!Number.isInteger(aws.Timestamp) || (aws.Timestamp as number) < 1e12) problems.push('_aws.Timestamp is not an integer of epoch milliseconds');
  if (!Array.isArray(aws.CloudWatchMetrics)) return [...problems, '_aws.CloudWatchMetrics is not an array'];
  aws.CloudWatchMetrics.forEach((directive: unknown, i) => {
    const at = `_aws.CloudWatchMetrics[${i}]`;
    if (!isObject(directive)) return void problems.push(`${at} is not an object`);
    const ns = directive.Namespace;
    if (typeof ns !== 'string' || ns.length < 1 || ns.length > 255) problems.push(`${at}.Namespace is not a string of 1-255 characters`);
    else if (ns.startsWith('AWS/')) problems.push(`${at}.Namespace starts with AWS/ (reserved)`);
    if (!Array.isArray(directive.Dimensions)) problems.push(`${at}.Dimensions is not an array of DimensionSets`);
    else {
      directive.Dimensions.forEach((set: unknown, j) => {
        if (!Array.isArray(set) || !set.every((k) => typeof k === 'string')) return void problems.push(`${at}.Dimensions[${j}] is not an array of strings`);
        if (set.length > EMF_MAX_DIMENSIONS_PER_SET) problems.push(`${at}.Dimensions[${j}] has ${set.length} keys (max ${EMF_MAX_DIMENSIONS_PER_SET})`);
        for (const key of set as string[]) {
          const v = doc[key];
          if (typeof v !== 'string') problems.push(`dimension ${key} is not a top-level string member`);
          else if (v.trim() === '' || v.length > 1024) problems.push(`dimension ${key} has a value of ${v.length} characters (1-1024, not blank)`);
        }
      });
    }
    if (!Array.isArray(directive.Metrics)) return void problems.push(`${at}.Metrics is not an array`);
    if (directive.Metrics.length > EMF_MAX_METRICS_PER_DIRECTIVE) problems.push(`${at}.Metrics has ${directive.Metrics.length} definitions (max ${EMF_MAX_METRICS_PER_DIRECTIVE})`);
    directive.Metrics.forEach((def: unknown, j) => {
      if (!isObject(def) || typeof def.Name !== 'string' || def.Name.length < 1 || def.Name.length > 255) {
        return void problems.push(`${at}.Metrics[${j}] has no Name of 1-255 characters`);
      }
      if (def.Unit !== undefined && (typeof def.Unit !== 'string' || !EMF_UNITS.has(def.Unit))) problems.push(`metric ${def.Name} has unit ${String(def.Unit)}`);
      if (def.StorageResolution !== undefined && def.StorageResolution !== 1 && def.StorageResolution !== 60) problems.push(`metric ${def.Name} has StorageResolution ${String(def.StorageResolution)}`);
      const v = doc[def.Name];
      const values = Array.isArray(v) ? v : [v];
      if (!values.every(isNumber)) problems.push(`metric ${def.Name} is not a top-level number (or array of numbers)`);
      else if (values.length < 1 || values.length > EMF_MAX_VALUES_PER_METRIC) problems.push(`metric ${def.Name} has ${values.length} values (1-${EMF_MAX_VALUES_PER_METRIC})`);
    });
  });
  return problems;
}

/** Parses each non-empty line of `output` as JSON; throws naming the line that is not JSON. */
export function parseJsonLines(output: string): unknown[] {
  return output
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((line, i) => {
      try {
        return JSON.parse(line) as unknown;
      } catch {
        throw new Error(`line ${i + 1} is not JSON: ${line.slice(0, 200)}`);
      }
    });
}

/** Whether a parsed log line is meant as an EMF document (has `_aws`); other JSON log lines are not. */
export const isEmfDocument = (line: unknown): boolean => isObject(line) && '_aws' in line;

/** The metrics CloudWatch would extract from a valid document (call {@link emfProblems} first). */
export function emfMetrics(doc: unknown): EmfMetric[] {
  if (!isObject(doc) || !isObject(doc._aws) || !Array.isArray(doc._aws.CloudWatchMetrics)) return [];
  const out: EmfMetric[] = [];
  for (const d of doc._aws.CloudWatchMetrics as { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit?: string }[] }[]) {
    const dimensionSets = d.Dimensions.map((set) => Object.fromEntries(set.map((k) => [k, String(doc[k])])));
    for (const m of d.Metrics) {
      const v = doc[m.Name];
      out.push({ namespace: d.Namespace, name: m.Name, ...(m.Unit !== undefined ? { unit: m.Unit } : {}), dimensionSets, values: (Array.isArray(v) ? v : [v]) as number[] });
    }
  }
  return out;
}
