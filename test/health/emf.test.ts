import {
  CLUSTER_DIMENSION,
  CLUSTER_EMF_METRICS,
  DEFAULT_HEALTH_NAMESPACE,
  DEFAULT_HEALTH_SERVICE_NAME,
  FAILED_RATIO_METRIC,
  emitHealthMetrics,
} from '../../src/health/emf';
import { emfMetrics, emfProblems, parseJsonLines } from './emfSpec';
import { PROD, STAGING_ARN, sampleSummary } from './summary';

const NOW_MS = Date.UTC(2026, 0, 1, 0, 0, 0);

/** Runs `act` with process.stdout captured, and returns what it wrote. */
function captureStdout(act: () => void): string {
  let out = '';
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    return true;
  });
  try {
    act();
  } finally {
    spy.mockRestore();
  }
  return out;
}

/** Runs `act` with the given environment variables set, then restores them. */
function withEnv(env: Record<string, string>, act: () => void): void {
  const before = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    act();
  } finally {
    for (const [k, v] of Object.entries(before)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

const emit = (...args: Parameters<typeof emitHealthMetrics>): unknown[] => {
  const lines: string[] = [];
  emitHealthMetrics(args[0], { nowMs: NOW_MS, ...args[1], write: (l) => lines.push(l) });
  return lines.map((l) => JSON.parse(l) as unknown);
};

describe('health as CloudWatch EMF', () => {
  it('writes one valid EMF document per line to stdout, one per cluster and one per failing stage/kind', () => {
    // Act
    const out = captureStdout(() => emitHealthMetrics(sampleSummary(), { nowMs: NOW_MS }));

    // Assess
    expect(out.endsWith('\n')).toBe(true);
    const docs = parseJsonLines(out);
    expect(docs.map(emfProblems)).toEqual(docs.map(() => []));
    // two clusters + 6 distinct stage/kind keys (scrape/timeout failed and skipped: one document)
    expect(docs).toHaveLength(2 + 6);
  });

  it('is not silenced by the powertools development and disable switches', () => {
    const envs: Record<string, string>[] = [{ POWERTOOLS_DEV: 'true' }, { POWERTOOLS_METRICS_DISABLED: 'true' }, { POWERTOOLS_DEV: '1', POWERTOOLS_METRICS_DISABLED: '1' }];
    for (const env of envs) {
      // Act
      let out = '';
      withEnv(env, () => (out = captureStdout(() => emitHealthMetrics(sampleSummary(), { nowMs: NOW_MS }))));

      // Assess
      expect({ env, docs: parseJsonLines(out).length }).toEqual({ env, docs: 8 });
    }
  });

  it('gives each cluster its metrics, units and dimensions service and Cluster, in the default namespace', () => {
    // Act
    const [prod, staging] = emit(sampleSummary());

    // Assess
    const metrics = emfMetrics(prod);
    expect(metrics.map((m) => [m.name, m.unit])).toEqual([
      ['Targets', 'Count'], ['Scraped', 'Count'], ['Failed', 'Count'], ['Skipped', 'Count'], ['Samples', 'Count'], ['Posted', 'Count'],
      ['FailedRatio', 'None'], ['RetryQueue', 'Count'], ['CycleDuration', 'Milliseconds'], ['AwsErrors', 'Count'], ['MackerelErrors', 'Count'],
    ]);
    expect(metrics.map((m) => m.name)).toEqual(CLUSTER_EMF_METRICS.map((m) => m.name));
    for (const m of metrics) {
      expect(m.namespace).toBe(DEFAULT_HEALTH_NAMESPACE);
      expect(m.dimensionSets).toEqual([{ service: DEFAULT_HEALTH_SERVICE_NAME, [CLUSTER_DIMENSION]: PROD }]);
    }
    expect(Object.fromEntries(metrics.map((m) => [m.name, m.values[0]]))).toMatchObject({
      Targets: 20, Failed: 4, FailedRatio: 0.2, Posted: 1200, RetryQueue: 40, CycleDuration: 8250, AwsErrors: 1, MackerelErrors: 3,
    });
    // A cluster configured by ARN keeps its ARN as the dimension value, exactly as configured
    expect(emfMetrics(staging)[0]?.dimensionSets).toEqual([{ service: DEFAULT_HEALTH_SERVICE_NAME, Cluster: STAGING_ARN }]);
  });

  it('counts failures and skips by stage and kind, collector-wide', () => {
    // Act
    const docs = emit(sampleSummary()).slice(2);

    // Assess
    const rows = docs.flatMap(emfMetrics).map((m) => ({ ...m.dimensionSets[0], [m.name]: m.values[0] }));
    expect(rows).toEqual([
      { service: DEFAULT_HEALTH_SERVICE_NAME, Stage: 'check', Kind: '5xx', Failures: 1 },
      { service: DEFAULT_HEALTH_SERVICE_NAME, Stage: 'discovery', Kind: 'label', Skips: 4 },
      { service: DEFAULT_HEALTH_SERVICE_NAME, Stage: 'discovery', Kind: 'throttled', Failures: 1 },
      { service: DEFAULT_HEALTH_SERVICE_NAME, Stage: 'parse', Kind: 'error', Failures: 1 },
      { service: DEFAULT_HEALTH_SERVICE_NAME, Stage: 'post', Kind: '5xx', Failures: 2 },
      { service: DEFAULT_HEALTH_SERVICE_NAME, Stage: 'scrape', Kind: 'timeout', Failures: 3 },
      { service: DEFAULT_HEALTH_SERVICE_NAME, Stage: 'scrape', Kind: 'timeout', Skips: 1 },
    ]);
  });

  it('uses the configured namespace and service name, and the defaults when they are empty', () => {
    // Act
    const configured = emit(sampleSummary(), { namespace: 'Team/Collector', serviceName: 'ecs-prod' });
    const empty = emit(sampleSummary(), { namespace: '', serviceName: '' });

    // Assess
    const first = (docs: unknown[]) => emfMetrics(docs[0])[0];
    expect(first(configured)).toMatchObject({ namespace: 'Team/Collector', dimensionSets: [{ service: 'ecs-prod', Cluster: PROD }] });
    expect(first(empty)).toMatchObject({ namespace: DEFAULT_HEALTH_NAMESPACE, dimensionSets: [{ service: DEFAULT_HEALTH_SERVICE_NAME, Cluster: PROD }] });
  });

  it('stamps every document with the cycle time in integer epoch milliseconds', () => {
    // Act
    const docs = emit(sampleSummary(), { nowMs: NOW_MS + 0.4 }) as { _aws: { Timestamp: number } }[];

    // Assess
    expect(new Set(docs.map((d) => d._aws.Timestamp))).toEqual(new Set([NOW_MS]));
  });

  it('stays within EMF limits with many clusters and many stage/kind causes', () => {
    // Prepare: 150 causes would overflow a single 100-metric document
    const clusters = Array.from({ length: 40 }, (_, i) => `cluster-${i}`);
    const failedBy = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`scrape/kind${i}`, i + 1]));
    const summary = sampleSummary({ clusters, byCluster: {}, failedBy, skippedBy: {} });

    // Act
    const docs = emit(summary);

    // Assess
    expect(docs).toHaveLength(40 + 150);
    expect(docs.flatMap(emfProblems)).toEqual([]);
    const failures = docs.flatMap(emfMetrics).filter((m) => m.name === 'Failures');
    expect(failures.reduce((n, m) => n + (m.values[0] ?? 0), 0)).toBe((150 * 151) / 2);
  });

  it('leaves out a count that is not a finite number instead of writing null', () => {
    // Prepare
    const summary = sampleSummary({ failedBy: { 'scrape/timeout': Number.NaN, 'post/5xx': 2 }, skippedBy: {} });

    // Act
    const docs = emit(summary);

    // Assess
    expect(docs.flatMap(emfProblems)).toEqual([]);
    expect(docs.slice(2).flatMap(emfMetrics).map((m) => m.dimensionSets[0]?.Kind)).toEqual(['5xx']);
  });

  it('names the alarmed metric FailedRatio with unit None and a value between 0 and 1', () => {
    // Act
    const ratios = emit(sampleSummary({ discoveryFailed: [STAGING_ARN] }))
      .flatMap(emfMetrics)
      .filter((m) => m.name === FAILED_RATIO_METRIC);

    // Assess
    expect(ratios.map((m) => [m.unit, m.values[0]])).toEqual([['None', 0.2], ['None', 1]]);
  });
});

describe('the EMF checker', () => {
  it('rejects documents that break the specification', () => {
    // Prepare
    const base = { _aws: { Timestamp: NOW_MS, CloudWatchMetrics: [{ Namespace: 'N', Dimensions: [['Cluster']], Metrics: [{ Name: 'A', Unit: 'Count' }] }] }, Cluster: 'c', A: 1 };
    const tooMany = { ...base, _aws: { ...base._aws, CloudWatchMetrics: [{ ...base._aws.CloudWatchMetrics[0], Metrics: Array.from({ length: 101 }, (_, i) => ({ Name: `M${i}` })) }] } };

    // Act / Assess
    expect(emfProblems(base)).toEqual([]);
    expect(emfProblems({ ...base, A: null })).toEqual(['metric A is not a top-level number (or array of numbers)']);
    expect(emfProblems({ ...base, Cluster: 3 })).toEqual(['dimension Cluster is not a top-level string member']);
    expect(emfProblems({ ...base, _aws: { ...base._aws, Timestamp: NOW_MS / 1000 } })).toEqual(['_aws.Timestamp is not an integer of epoch milliseconds']);
    expect(emfProblems(tooMany).some((p) => p.includes('101 definitions'))).toBe(true);
    expect(emfProblems({ A: 1 })).toEqual(['no _aws metadata object']);
  });
});
