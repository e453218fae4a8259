import { HEALTH_FIGURES } from '../../src/health/names';
import { healthServiceValues } from '../../src/health/serviceHealth';
import { SERVICE_METRIC_NAME } from '../../src/service/names';
import { PROD, sampleSummary } from './summary';

const NOW_S = 1767225600;

describe('health as Mackerel service metrics', () => {
  it('posts every figure of every cluster as ecs-collector.<cluster>.<figure> at the given time', () => {
    // Act
    const values = healthServiceValues(sampleSummary(), NOW_S);

    // Assess: an ARN is named by its cluster name
    const names = values.map((v) => v.name);
    expect(names).toEqual([...HEALTH_FIGURES.map((f) => `ecs-collector.prod.${f}`), ...HEALTH_FIGURES.map((f) => `ecs-collector.staging.${f}`)]);
    expect(new Set(values.map((v) => v.time))).toEqual(new Set([NOW_S]));
    expect(names.filter((n) => !SERVICE_METRIC_NAME.test(n))).toEqual([]);
  });

  it('carries the figures as numbers Mackerel accepts', () => {
    // Act
    const byName = Object.fromEntries(healthServiceValues(sampleSummary(), NOW_S).map((v) => [v.name, v.value]));

    // Assess
    expect(byName).toMatchObject({
      'ecs-collector.prod.targets': 20,
      'ecs-collector.prod.failed_ratio': 0.2,
      'ecs-collector.prod.duration_seconds': 8.25,
      'ecs-collector.prod.mackerel_errors': 3,
      'ecs-collector.staging.posted': 1200,
      'ecs-collector.staging.aws_errors': 1,
    });
  });

  it('sends whole epoch seconds and finite values only', () => {
    // Prepare
    const summary = sampleSummary({ durationMs: Number.NaN, posted: Number.POSITIVE_INFINITY });

    // Act
    const values = healthServiceValues(summary, NOW_S + 0.75);

    // Assess
    expect(values.length).toBe(2 * HEALTH_FIGURES.length);
    expect(values.filter((v) => !Number.isFinite(v.value) || !Number.isInteger(v.time))).toEqual([]);
    expect(values[0]?.time).toBe(NOW_S);
  });

  it('names a cluster given twice (by name and by ARN) once, with the first one', () => {
    // Prepare
    const prodArn = 'arn:aws:ecs:us-east-1:123456789012:cluster/prod';
    const summary = sampleSummary({
      clusters: [PROD, prodArn],
      byCluster: { [PROD]: { targets: 4, scraped: 4, failed: 0, skipped: 0, samples: 10 }, [prodArn]: { targets: 9, scraped: 0, failed: 9, skipped: 0, samples: 0 } },
    });

    // Act
    const values = healthServiceValues(summary, NOW_S);

    // Assess
    expect(values.length).toBe(HEALTH_FIGURES.length);
    expect(values.find((v) => v.name === 'ecs-collector.prod.targets')?.value).toBe(4);
  });

  it('sends nothing for a summary without clusters', () => {
    expect(healthServiceValues(sampleSummary({ clusters: [], byCluster: {} }), NOW_S)).toEqual([]);
  });
});
