import type { HealthSummaryInput } from '../../src/health/figures';

export const PROD = 'prod';
export const STAGING_ARN = 'arn:aws:ecs:ap-northeast-1:123456789012:cluster/staging';

/** A cycle over two clusters: prod with some failures, staging (configured by ARN) all well. */
export function sampleSummary(over: Partial<HealthSummaryInput> = {}): HealthSummaryInput {
  return {
    clusters: [PROD, STAGING_ARN],
    posted: 1200,
    retryQueue: 40,
    durationMs: 8250,
    failedBy: { 'scrape/timeout': 3, 'discovery/throttled': 1, 'post/5xx': 2, 'check/5xx': 1, 'parse/error': 1 },
    skippedBy: { 'discovery/label': 4, 'scrape/timeout': 1 },
    byCluster: {
      [PROD]: { targets: 20, scraped: 16, failed: 4, skipped: 3, samples: 900 },
      [STAGING_ARN]: { targets: 5, scraped: 5, failed: 0, skipped: 1, samples: 300 },
    },
    discoveryFailed: [],
    ...over,
  };
}
