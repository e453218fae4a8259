import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { EmfOutput, MetricsOptions, MetricUnit as Unit } from '@aws-lambda-powertools/metrics/types';
import { silentLogger, type Logger } from '../log';
import { healthFigures, stageOf, type ClusterHealth, type HealthSummaryInput } from './figures';

/**
 * The collector's health as CloudWatch metrics, written as Embedded Metric Format documents (one JSON line
 * each) to stdout, where Lambda hands them to CloudWatch Logs and CloudWatch extracts the metrics:
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 *
 * Powertools' `Metrics` builds and validates each document (names, units, dimension count); we write the
 * document it serialises ourselves instead of calling `publishStoredMetrics()`, because that one
 * - prints nothing when `POWERTOOLS_DEV` is truthy or `POWERTOOLS_METRICS_DISABLED` is true (env variables
 *   src/config does not own, so a developer's shell or a test runner could silence the collector's alarms),
 * - prints through a `Console` of its own on `process.stdout` that a caller cannot redirect, and
 * - past 100 metrics flushes early and clears the added dimensions, so the overflow lands under `service`
 *   alone (seen with 2.36.0). Our documents hold at most 11 metrics, so that never applies here either.
 * Namespace and service name are always passed, so `POWERTOOLS_METRICS_NAMESPACE` and
 * `POWERTOOLS_SERVICE_NAME` have no effect (without a namespace powertools would use `default_namespace`).
 */

/** Namespace when none is configured (HEALTH_NAMESPACE). */
export const DEFAULT_HEALTH_NAMESPACE = 'MackerelEcsCollector';
/** Value of the `service` dimension powertools adds to every document. */
export const DEFAULT_HEALTH_SERVICE_NAME = 'mackerel-ecs-collector';
/** The dimension powertools adds to every document, holding the service name. */
export const SERVICE_DIMENSION = 'service';
/** The per-cluster documents' dimension: the cluster string as configured (ECS_CLUSTERS), name or ARN. */
export const CLUSTER_DIMENSION = 'Cluster';
/** The failure documents' dimensions: an Issue's `stage` and `kind`. */
export const STAGE_DIMENSION = 'Stage';
export const KIND_DIMENSION = 'Kind';
/** failed/targets of a cluster, 0 to 1 (unit `None`: CloudWatch's `Percent` means 0 to 100). Alarmed on. */
export const FAILED_RATIO_METRIC = 'FailedRatio';
/** The failure documents' metrics: failed and skipped entries of one `stage/kind`, collector-wide. */
export const FAILURES_METRIC = 'Failures';
export const SKIPS_METRIC = 'Skips';

type Figures = ClusterHealth['figures'];

/** One metric of the per-cluster document: its name, unit and value. */
export interface HealthEmfMetric {
  readonly name: string;
  readonly unit: Unit;
  readonly value: (f: Figures) => number;
}

/** The metrics of each per-cluster document, in order. */
export const CLUSTER_EMF_METRICS: readonly HealthEmfMetric[] = [
  { name: 'Targets', unit: MetricUnit.Count, value: (f) => f.targets },
  { name: 'Scraped', unit: MetricUnit.Count, value: (f) => f.scraped },
  { name: 'Failed', unit: MetricUnit.Count, value: (f) => f.failed },
  { name: 'Skipped', unit: MetricUnit.Count, value: (f) => f.skipped },
  { name: 'Samples', unit: MetricUnit.Count, value: (f) => f.samples },
  { name: 'Posted', unit: MetricUnit.Count, value: (f) => f.posted },
  { name: FAILED_RATIO_METRIC, unit: MetricUnit.NoUnit, value: (f) => f.failed_ratio },
  { name: 'RetryQueue', unit: MetricUnit.Count, value: (f) => f.retry_queue },
  { name: 'CycleDuration', unit: MetricUnit.Milliseconds, value: (f) => Math.round(f.duration_seconds * 1000) },
  { name: 'AwsErrors', unit: MetricUnit.Count, value: (f) => f.aws_errors },
  { name: 'MackerelErrors', unit: MetricUnit.Count, value: (f) => f.mackerel_errors },
];

/** Options of {@link emitHealthMetrics}. */
export interface HealthEmfOptions {
  /** CloudWatch namespace (HEALTH_NAMESPACE); empty or absent: {@link DEFAULT_HEALTH_NAMESPACE}. */
  readonly namespace?: string;
  /** Value of the `service` dimension; empty or absent: {@link DEFAULT_HEALTH_SERVICE_NAME}. */
  readonly serviceName?: string;
  /** Receives each document as one JSON line (no newline). Default: `process.stdout`, as powertools writes. */
  readonly write?: (line: string) => void;
  /** Timestamp of the documents, epoch milliseconds (an integer). Default: now. */
  readonly nowMs?: number;
  /** Where powertools' own warnings go (an invalid dimension value, say). Default: dropped. */
  readonly logger?: Logger;
}

const writeStdout = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

/** Powertools' logger interface over ours: its warnings become one structured line each. */
function powertoolsLogger(logger: Logger): NonNullable<MetricsOptions['logger']> {
  const text = (content: unknown[]): string => content.map(String).join(' ');
  return {
    debug: () => {},
    info: () => {},
    warn: (...content: unknown[]) => logger.warn('health metrics warning', { detail: text(content) }),
    error: (...content: unknown[]) => logger.error('health metrics error', { detail: text(content) }),
  };
}

/**
 * Writes the collector's health of one cycle as EMF documents:
 * - one per cluster, dimensions `service` and `Cluster`, with {@link CLUSTER_EMF_METRICS} (the
 *   collector-wide figures repeated in each, see {@link healthFigures});
 * - one per `stage/kind` that failed or skipped anything, dimensions `service`, `Stage` and `Kind`, with
 *   `Failures` and/or `Skips` (Count). These are collector-wide: the summary counts by stage/kind over all
 *   clusters, and an EMF document's dimension sets apply to every metric in it.
 * Non-finite values are left out (JSON would turn them into `null`). Returns the number of documents written.
 * The caller decides when: the collector emits outside dry runs only.
 */
export function emitHealthMetrics(summary: HealthSummaryInput, opts: HealthEmfOptions = {}): number {
  const write = opts.write ?? writeStdout;
  // One timestamp for the whole cycle, so every document lands in the same minute.
  const timed = { ...opts, nowMs: opts.nowMs ?? Date.now() };
  const docs = [...clusterDocuments(summary, timed), ...failureDocuments(summary, timed)];
  for (const doc of docs) write(JSON.stringify(doc));
  return docs.length;
}

/** A fresh powertools instance per document: dimensions and timestamp are per document in EMF. */
function newMetrics(opts: HealthEmfOptions): Metrics {
  const metrics = new Metrics({
    namespace: opts.namespace || DEFAULT_HEALTH_NAMESPACE,
    serviceName: opts.serviceName || DEFAULT_HEALTH_SERVICE_NAME,
    logger: powertoolsLogger(opts.logger ?? silentLogger),
  });
  if (opts.nowMs !== undefined) metrics.setTimestamp(Math.floor(opts.nowMs));
  return metrics;
}

function addFinite(metrics: Metrics, name: string, unit: Unit, value: number): void {
  if (Number.isFinite(value)) metrics.addMetric(name, unit, value);
}

function clusterDocuments(summary: HealthSummaryInput, opts: HealthEmfOptions): EmfOutput[] {
  return healthFigures(summary).map(({ cluster, figures }) => {
    const metrics = newMetrics(opts).addDimension(CLUSTER_DIMENSION, cluster);
    for (const m of CLUSTER_EMF_METRICS) addFinite(metrics, m.name, m.unit, m.value(figures));
    return metrics.serializeMetrics();
  });
}

/** `stage/kind` → [stage, kind]; a key without a kind gets `error` (an empty dimension value is refused). */
function splitKey(key: string): [string, string] {
  const stage = stageOf(key);
  const kind = key.slice(stage.length + 1);
  return [stage || 'unknown', kind || 'error'];
}

function failureDocuments(summary: HealthSummaryInput, opts: HealthEmfOptions): EmfOutput[] {
  const keys = [...new Set([...Object.keys(summary.failedBy), ...Object.keys(summary.skippedBy)])].sort();
  const docs: EmfOutput[] = [];
  for (const key of keys) {
    const failed = summary.failedBy[key];
    const skipped = summary.skippedBy[key];
    const hasFailed = failed !== undefined && Number.isFinite(failed);
    const hasSkipped = skipped !== undefined && Number.isFinite(skipped);
    if (!hasFailed && !hasSkipped) continue;
    const [stage, kind] = splitKey(key);
    const metrics = newMetrics(opts);
    metrics.addDimension(STAGE_DIMENSION, stage).addDimension(KIND_DIMENSION, kind);
    if (hasFailed) metrics.addMetric(FAILURES_METRIC, MetricUnit.Count, failed);
    if (hasSkipped) metrics.addMetric(SKIPS_METRIC, MetricUnit.Count, skipped);
    docs.push(metrics.serializeMetrics());
  }
  return docs;
}
