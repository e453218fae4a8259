import { DEFAULT_CHECK_NAME } from '../checks/report';
import { healthMetricName, healthMetricPrefix } from '../health/names';
import type { ServiceMonitorBody } from '../mackerel/monitorClient';
import { clusterName } from '../service/names';

/**
 * The Mackerel monitors that watch the collector itself, through the health service metrics it posts per
 * cluster (`ecs-collector.<cluster>.<figure>`, src/health/names.ts). Pure: src/monitors/sync.ts writes them.
 * Field rules: API docs, monitors#create-service-metric-monitoring (https://mackerel.io/api-docs/entry/monitors)
 * and reference/mackerel-api.md §14.
 */

/** Every monitor the collector manages has a name starting with this; sync never touches any other. */
export const MONITOR_NAME_PREFIX = 'ecs-collector: ';

/** API docs: `missingDurationWarning/Critical` must be a multiple of 10 minutes and at most a week. */
export const MISSING_DURATION_STEP_MINUTES = 10;
export const MISSING_DURATION_MAX_MINUTES = 7 * 24 * 60;
/** API docs: service monitor `duration` (points) and `maxCheckAttempts` are both 1-10. */
const POINTS_MAX = 10;

/** Tunables of {@link desiredMonitors}; every one has a default. */
export interface MonitorOptions {
  /** Minutes without `targets` before the "stopped reporting" alert; rounded up to a multiple of 10. Default 10. */
  readonly missingDurationMinutes?: number;
  /** `failed_ratio` (0..1) above which a warning opens. Default 0.2. */
  readonly failedRatioWarning?: number;
  /** `failed_ratio` (0..1) above which a critical alert opens. Default 0.5. */
  readonly failedRatioCritical?: number;
  /** Points averaged by the failed-ratio monitor (1-10). Default 3. */
  readonly failedRatioDuration?: number;
  /** Consecutive breaches before the failed-ratio alert opens (1-10). Default 3. */
  readonly failedRatioMaxCheckAttempts?: number;
  /** Minutes between re-sent notifications (≥ 10); omitted = the monitor's own setting is kept. */
  readonly notificationInterval?: number;
  /** The per-host check's name, quoted in the memo. Default `ecs-tasks`. */
  readonly checkName?: string;
}

export const DEFAULT_MISSING_DURATION_MINUTES = 10;
export const DEFAULT_FAILED_RATIO_WARNING = 0.2;
export const DEFAULT_FAILED_RATIO_CRITICAL = 0.5;
export const DEFAULT_FAILED_RATIO_DURATION = 3;
export const DEFAULT_FAILED_RATIO_MAX_CHECK_ATTEMPTS = 3;

/**
 * Two service metric monitors per cluster, on Mackerel service `service`:
 * - `ecs-collector: <cluster> stopped reporting`: `missingDurationCritical` on `<prefix>.targets`, posted every
 *   cycle whatever happens, so its absence means the collector itself stopped (the dead-man switch);
 * - `ecs-collector: <cluster> failed ratio`: `<prefix>.failed_ratio` `>` 0.2 warning / 0.5 critical.
 * Clusters naming the same metric prefix (a name and its ARN) give one pair.
 */
export function desiredMonitors(service: string, clusters: readonly string[], opts: MonitorOptions = {}): ServiceMonitorBody[] {
  const missing = missingMinutes(opts.missingDurationMinutes ?? DEFAULT_MISSING_DURATION_MINUTES);
  const interval = opts.notificationInterval === undefined ? {} : { notificationInterval: Math.max(10, Math.floor(opts.notificationInterval)) };
  const seen = new Set<string>();
  const out: ServiceMonitorBody[] = [];
  for (const cluster of clusters) {
    const prefix = healthMetricPrefix(cluster);
    if (seen.has(prefix)) continue;
    seen.add(prefix);
    const shown = clusterName(cluster);
    out.push({
      type: 'service',
      name: `${MONITOR_NAME_PREFIX}${shown} stopped reporting`,
      memo: stoppedMemo(prefix, missing),
      service,
      metric: healthMetricName(cluster, 'targets'),
      // The API wants a threshold (terraform-provider-mackerel requires warning or critical); a count is never
      // below 0, so this one never fires and the monitor alerts only when the metric stops arriving.
      operator: '<',
      warning: null,
      critical: 0,
      duration: 1,
      maxCheckAttempts: 1,
      missingDurationCritical: missing,
      ...interval,
    });
    const warning = opts.failedRatioWarning ?? DEFAULT_FAILED_RATIO_WARNING;
    const critical = opts.failedRatioCritical ?? DEFAULT_FAILED_RATIO_CRITICAL;
    out.push({
      type: 'service',
      name: `${MONITOR_NAME_PREFIX}${shown} failed ratio`,
      memo: failedMemo(prefix, warning, critical, opts.checkName ?? DEFAULT_CHECK_NAME),
      service,
      metric: healthMetricName(cluster, 'failed_ratio'),
      operator: '>',
      warning,
      critical,
      duration: points(opts.failedRatioDuration ?? DEFAULT_FAILED_RATIO_DURATION),
      maxCheckAttempts: points(opts.failedRatioMaxCheckAttempts ?? DEFAULT_FAILED_RATIO_MAX_CHECK_ATTEMPTS),
      ...interval,
    });
  }
  return out;
}

/** Rounds up to a multiple of 10 minutes within 10..10080, as the API accepts. */
export function missingMinutes(minutes: number): number {
  const steps = Math.ceil((Number.isFinite(minutes) ? minutes : DEFAULT_MISSING_DURATION_MINUTES) / MISSING_DURATION_STEP_MINUTES);
  return Math.min(MISSING_DURATION_MAX_MINUTES, Math.max(1, steps) * MISSING_DURATION_STEP_MINUTES);
}

function points(n: number): number {
  return Math.min(POINTS_MAX, Math.max(1, Math.floor(n) || 1));
}

const MANAGED =
  'Created and updated by `mackerel-ecs-collector monitors`: change its settings there (a hand edit of a field it sets is overwritten; mute and notification changes are kept).';

function stoppedMemo(prefix: string, minutes: number): string {
  return [
    `The collector has posted no ${prefix}.targets for ${minutes} minutes: it is not running, failing before it can report, or cannot reach Mackerel.`,
    'Look at the collector Lambda: its CloudWatch logs (the per-cycle summary line), Errors and Throttles, the EventBridge schedule, and whether the Mackerel API key parameter is valid.',
    'The "< 0" threshold never fires on its own (the API requires one); this monitor alerts only on missing data.',
    MANAGED,
  ].join('\n');
}

function failedMemo(prefix: string, warning: number, critical: number, checkName: string): string {
  return [
    `${prefix}.failed_ratio is the share (0..1) of scrape targets the collector could not scrape, parse or post in a cycle; warning above ${warning}, critical above ${critical}.`,
    `Which tasks fail and why (stage/kind) is in the "${checkName}" check on the instance hosts and in the summary log line (failed by stage/kind): typically a security group blocking the ephemeral ports, a wrong metrics port or path label, or a Mackerel outage.`,
    MANAGED,
  ].join('\n');
}
