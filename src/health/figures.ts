import type { HealthFigure } from './names';

/**
 * The collector's own health figures, per cluster, from one cycle's summary. Pure: the CloudWatch EMF
 * emitter (emf.ts) and the Mackerel service metrics (serviceHealth.ts) both read them, so the two views of
 * the collector's health never disagree.
 */

/** One cluster's share of a cycle, as the summary counts it (`failed`/`skipped` are distinct targets). */
export interface HealthClusterCounts {
  readonly targets: number;
  readonly scraped: number;
  readonly failed: number;
  readonly skipped: number;
  readonly samples: number;
}

/**
 * The fields of the cycle summary (`CycleSummary`, src/pipeline/collect.ts) that health reporting reads.
 * Declared here, structurally, so that this module does not depend on the pipeline: a `CycleSummary` is one.
 */
export interface HealthSummaryInput {
  /** The clusters as configured (ECS_CLUSTERS): names or ARNs. */
  readonly clusters: readonly string[];
  readonly posted: number;
  readonly retryQueue: number;
  readonly durationMs: number;
  /** Failed entries counted by `stage/kind` (`scrape/timeout`, `discovery/throttled`, `post/5xx`). */
  readonly failedBy: Readonly<Record<string, number>>;
  /** Skipped entries counted by `stage/kind`. */
  readonly skippedBy: Readonly<Record<string, number>>;
  /** Keyed by the cluster string as configured. */
  readonly byCluster: Readonly<Record<string, HealthClusterCounts>>;
  /** Clusters whose discovery failed entirely (missing, or listing its tasks failed). */
  readonly discoveryFailed: readonly string[];
}

/** The health figures of one cluster. */
export interface ClusterHealth {
  /** The cluster string as configured. */
  readonly cluster: string;
  readonly figures: Readonly<Record<HealthFigure, number>>;
}

/** Issue stages whose failures are calls to AWS (ECS/EC2 discovery). */
export const AWS_STAGES: ReadonlySet<string> = new Set(['discovery']);
/** Issue stages whose failures are calls to the Mackerel API. */
export const MACKEREL_STAGES: ReadonlySet<string> = new Set(['host', 'inventory', 'post', 'service', 'dashboard', 'check', 'monitor']);

const NO_COUNTS: HealthClusterCounts = { targets: 0, scraped: 0, failed: 0, skipped: 0, samples: 0 };

/** The stage of a `stage/kind` key (the whole key when it has no `/`). */
export function stageOf(key: string): string {
  const slash = key.indexOf('/');
  return slash < 0 ? key : key.slice(0, slash);
}

/** Sum of the counts whose `stage/kind` key has one of `stages`. */
export function countInStages(by: Readonly<Record<string, number>>, stages: ReadonlySet<string>): number {
  let n = 0;
  for (const [key, count] of Object.entries(by)) if (stages.has(stageOf(key)) && Number.isFinite(count)) n += count;
  return n;
}

/** A finite, non-negative number (0 otherwise): what both outputs accept. */
const count = (n: number): number => (Number.isFinite(n) && n > 0 ? n : 0);

/** `failed / targets` clamped to [0, 1]; 0 without targets, 1 when the cluster could not be listed at all. */
function failedRatio(c: HealthClusterCounts, discoveryFailed: boolean): number {
  if (discoveryFailed) return 1;
  if (!(c.targets > 0)) return 0;
  const r = c.failed / c.targets;
  return Number.isFinite(r) ? Math.min(1, Math.max(0, r)) : 0;
}

/**
 * The health figures of every configured cluster (then any other cluster the summary counted), in that order.
 *
 * `targets`, `scraped`, `failed`, `skipped` and `samples` are the cluster's own. `failed_ratio` is
 * failed/targets in [0, 1] (0 without targets); a cluster whose discovery failed entirely has
 * `failed_ratio` 1, because none of its tasks was seen, so a cluster that cannot be listed (access denied,
 * deleted, throttled throughout) alarms like one whose every target fails.
 *
 * `posted`, `retry_queue`, `duration_seconds`, `aws_errors` and `mackerel_errors` are collector-wide: one
 * cycle posts, queues and calls the APIs for all clusters together, so there is no per-cluster share. They
 * are repeated under every cluster so that each cluster's series (`ecs-collector.<cluster>.*` in Mackerel,
 * dimension `Cluster` in CloudWatch) is complete on its own. `aws_errors` counts failures of the
 * `discovery` stage; `mackerel_errors` those of the host, inventory, post, service, dashboard and check stages.
 */
export function healthFigures(summary: HealthSummaryInput): ClusterHealth[] {
  const names = [...new Set([...summary.clusters, ...Object.keys(summary.byCluster).sort()])];
  const discoveryFailed = new Set(summary.discoveryFailed);
  const shared = {
    posted: count(summary.posted),
    retry_queue: count(summary.retryQueue),
    duration_seconds: count(summary.durationMs) / 1000,
    aws_errors: countInStages(summary.failedBy, AWS_STAGES),
    mackerel_errors: countInStages(summary.failedBy, MACKEREL_STAGES),
  };
  return names.map((cluster) => {
    const c = summary.byCluster[cluster] ?? NO_COUNTS;
    return {
      cluster,
      figures: {
        targets: count(c.targets),
        scraped: count(c.scraped),
        failed: count(c.failed),
        skipped: count(c.skipped),
        samples: count(c.samples),
        failed_ratio: failedRatio(c, discoveryFailed.has(cluster)),
        ...shared,
      },
    };
  });
}
