import type { ServiceMetricValue } from '../mackerel/serviceClient';
import { healthFigures, type HealthSummaryInput } from './figures';
import { HEALTH_FIGURES, healthMetricName } from './names';

/**
 * The collector's health figures as Mackerel service metric values, `ecs-collector.<cluster>.<figure>`
 * (MACKEREL_SERVICE; reference/mackerel-api.md §3), all at `nowS`. Pure. Only finite values are returned, and
 * a name is given once: two configured clusters that sanitise to the same node (a name and its ARN) share
 * one series, the first cluster's.
 */
export function healthServiceValues(summary: HealthSummaryInput, nowS: number): ServiceMetricValue[] {
  const time = Math.floor(nowS);
  const seen = new Set<string>();
  const out: ServiceMetricValue[] = [];
  for (const { cluster, figures } of healthFigures(summary)) {
    for (const figure of HEALTH_FIGURES) {
      const name = healthMetricName(cluster, figure);
      const value = figures[figure];
      if (seen.has(name) || !Number.isFinite(value)) continue;
      seen.add(name);
      out.push({ name, time, value });
    }
  }
  return out;
}
