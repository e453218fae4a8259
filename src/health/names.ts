import { sanitizeNode } from '../mackerel/naming';
import { clusterName } from '../service/names';

/**
 * Names of the collector's own health figures, shared by the CloudWatch EMF metrics, the Mackerel service
 * metrics `ecs-collector.<cluster>.<figure>` and the monitors that watch them. Built here and only here.
 */

/** First node of the collector's service metrics. */
export const HEALTH_METRIC_ROOT = 'ecs-collector';

/** Every figure the collector reports about itself, per cluster (see README "Monitoring the collector"). */
export const HEALTH_FIGURES = [
  'targets',
  'scraped',
  'failed',
  'skipped',
  'samples',
  'posted',
  'failed_ratio',
  'retry_queue',
  'duration_seconds',
  'aws_errors',
  'mackerel_errors',
] as const;
export type HealthFigure = (typeof HEALTH_FIGURES)[number];

/** `ecs-collector.<cluster>`: the cluster's name (an ARN gives its name part), sanitised to one node. */
export function healthMetricPrefix(cluster: string): string {
  return `${HEALTH_METRIC_ROOT}.${sanitizeNode(clusterName(cluster)) || 'cluster'}`;
}

/** `ecs-collector.<cluster>.<figure>`. */
export function healthMetricName(cluster: string, figure: HealthFigure): string {
  return `${healthMetricPrefix(cluster)}.${figure}`;
}
