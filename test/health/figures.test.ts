import { healthFigures, type HealthSummaryInput } from '../../src/health/figures';
import { HEALTH_FIGURES } from '../../src/health/names';
import type { CycleSummary } from '../../src/pipeline/collect';
import { PROD, STAGING_ARN, sampleSummary } from './summary';

// The pipeline's summary is what the collector passes in: it must satisfy the input type as it is.
const _summaryIsInput = (s: CycleSummary): HealthSummaryInput => s;

const figuresOf = (summary: HealthSummaryInput, cluster: string) => healthFigures(summary).find((c) => c.cluster === cluster)?.figures;

describe('health figures', () => {
  it("gives each configured cluster its own counts and its failed ratio, in the configured order", () => {
    // Act
    const out = healthFigures(sampleSummary());

    // Assess
    expect(out.map((c) => c.cluster)).toEqual([PROD, STAGING_ARN]);
    expect(out[0]?.figures).toMatchObject({ targets: 20, scraped: 16, failed: 4, skipped: 3, samples: 900, failed_ratio: 0.2 });
    expect(out[1]?.figures).toMatchObject({ targets: 5, scraped: 5, failed: 0, skipped: 1, samples: 300, failed_ratio: 0 });
    for (const c of out) expect(Object.keys(c.figures).sort()).toEqual([...HEALTH_FIGURES].sort());
  });

  it('repeats the collector-wide figures under every cluster', () => {
    // Act
    const out = healthFigures(sampleSummary());

    // Assess: one cycle posts, queues and calls the APIs for all clusters together
    const shared = { posted: 1200, retry_queue: 40, duration_seconds: 8.25, aws_errors: 1, mackerel_errors: 3 };
    expect(out.map((c) => c.figures)).toEqual([expect.objectContaining(shared), expect.objectContaining(shared)]);
  });

  it('counts discovery failures as AWS errors and host/inventory/post/service/dashboard/check failures as Mackerel errors', () => {
    // Prepare
    const failedBy = {
      'discovery/throttled': 2, 'discovery/denied': 1,
      'host/5xx': 1, 'inventory/4xx': 1, 'post/5xx': 1, 'service/not-found': 1, 'dashboard/timeout': 1, 'check/network': 1,
      'scrape/timeout': 50, 'parse/error': 7,
    };

    // Act
    const f = figuresOf(sampleSummary({ failedBy }), PROD);

    // Assess: scrape and parse failures are the targets' own, neither API's
    expect(f).toMatchObject({ aws_errors: 3, mackerel_errors: 6 });
  });

  it('reports a failed ratio of 0 for a cluster without targets and clamps it to 1', () => {
    // Prepare
    const summary = sampleSummary({
      byCluster: {
        [PROD]: { targets: 0, scraped: 0, failed: 0, skipped: 0, samples: 0 },
        [STAGING_ARN]: { targets: 2, scraped: 0, failed: 3, skipped: 0, samples: 0 },
      },
    });

    // Act
    const out = healthFigures(summary);

    // Assess
    expect(out.map((c) => c.figures.failed_ratio)).toEqual([0, 1]);
  });

  it('reports a cluster whose discovery failed as entirely failed, even with no counts of its own', () => {
    // Prepare: staging could not be listed (access denied, deleted): none of its tasks was seen
    const summary = sampleSummary({ byCluster: { [PROD]: { targets: 20, scraped: 20, failed: 0, skipped: 0, samples: 900 } }, discoveryFailed: [STAGING_ARN] });

    // Act
    const f = figuresOf(summary, STAGING_ARN);

    // Assess
    expect(f).toMatchObject({ targets: 0, scraped: 0, failed: 0, skipped: 0, samples: 0, failed_ratio: 1 });
  });

  it('gives only finite, non-negative figures whatever the summary holds', () => {
    // Prepare
    const summary = sampleSummary({
      durationMs: Number.NaN,
      posted: Number.POSITIVE_INFINITY,
      retryQueue: -1,
      failedBy: { 'discovery/throttled': Number.NaN, 'post/5xx': 2 },
      byCluster: { [PROD]: { targets: Number.NaN, scraped: 1, failed: 1, skipped: 0, samples: Number.NEGATIVE_INFINITY } },
    });

    // Act
    const values = healthFigures(summary).flatMap((c) => Object.values(c.figures));

    // Assess
    expect(values.length).toBe(2 * HEALTH_FIGURES.length);
    expect(values.filter((v) => !Number.isFinite(v) || v < 0)).toEqual([]);
  });

  it('also reports a cluster the summary counted but the configuration does not list, after the configured ones', () => {
    // Act
    const out = healthFigures(sampleSummary({ clusters: [PROD] }));

    // Assess
    expect(out.map((c) => c.cluster)).toEqual([PROD, STAGING_ARN]);
  });
});
