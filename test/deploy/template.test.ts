import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { loadConfig } from '../../src/config/config';
import { DEFAULT_HEALTH_NAMESPACE, FAILED_RATIO_METRIC, emitHealthMetrics } from '../../src/health/emf';
import { emfMetrics } from '../health/emfSpec';
import { REPO_ROOT, alarmsOf, environmentOf, evaluate, iamStatements, lambdaFunctions, packageService, type Packaged } from './packageService';

// The README's Configuration table is the contract: every variable in it reaches every function of the packaged
// template, or is listed here with the reason it deliberately does not.
const NOT_PASSED: Readonly<Record<string, string>> = {
  // The functions read the key from the SSM SecureString named by MACKEREL_API_KEY_PARAMETER; passing the key
  // would put it in plain text in the template and the function's configuration.
  MACKEREL_API_KEY: 'read from SSM',
  // Reserved by Lambda: the runtime sets it, and a function's environment may not.
  AWS_REGION: 'set by Lambda',
  // Only for pointing the SDK at the simulator; in Lambda the SDK's own endpoints are the right ones.
  AWS_ENDPOINT_URL_ECS: 'simulator only',
  AWS_ENDPOINT_URL_EC2: 'simulator only',
  AWS_ENDPOINT_URL_SSM: 'simulator only',
};

/** A value for each variable, none of them its default, so that a hard-coded value cannot pass. */
const GIVEN: Readonly<Record<string, string>> = {
  ECS_CLUSTERS: 'prod,staging',
  MACKEREL_API_KEY_PARAMETER: '/a/b',
  MACKEREL_API_BASE: 'https://mackerel.example.test',
  SCRAPE_MODE: 'ssm',
  SSM_OUTPUT_BUCKET: 'collector-output-bucket',
  METRIC_KEY: 'slot',
  MACKEREL_SERVICE: 'ecs-prod',
  DASHBOARDS: 'hourly',
  TARGET_RULES: '[{"family":"api-.*","port":8080,"format":"gostats"}]',
  SCRAPE_TIMEOUT_MS: '1500',
  SCRAPE_CONCURRENCY: '64',
  MAX_BODY_BYTES: '1048576',
  MAX_INFLIGHT_BYTES: '134217728',
  ALLOWED_CIDRS: '10.1.0.0/16',
  DRY_RUN: 'true',
  LOG_LEVEL: 'debug',
  CHECKS: 'off',
  CHECK_NAME: 'ecs-endpoints',
  CHECK_ATTEMPTS: '5',
  CHECK_FAILURE_STATUS: 'WARNING',
  MONITORS: 'on',
  HEALTH_NAMESPACE: 'Team/EcsCollector',
  MAX_NAMES_PER_TARGET: '500',
};
/** Deploy-time only (not a function variable): a topic name, made an ARN in the stack's partition. */
const ALARM_TOPIC = 'collector-alarms';
const SECRET_KEY = 'key-exported-at-deploy-must-not-ship';
const PSEUDO = { 'AWS::Partition': 'aws-cn', 'AWS::Region': 'cn-north-1', 'AWS::AccountId': '123456789012' };

/** The backticked UPPER_CASE names in the first cell of each row of README's "## Configuration" table. */
function readmeVariables(): string[] {
  const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.split(/^## /m).find((s) => s.startsWith('Configuration\n')) ?? '';
  const firstCells = section.split('\n').filter((l) => l.startsWith('|')).map((l) => l.split('|')[1] ?? '');
  return firstCells.flatMap((cell) => [...cell.matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((m) => m[1] ?? ''));
}

/** Empty when packaging succeeded, else its output: a failed run shows why in the test report. */
const failureOf = (p: Packaged): string => (p.code === 0 ? '' : p.output);

/** The given value of a variable, or a recognisable one for a row added to the README since this test. */
const givenValue = (name: string): string => GIVEN[name] ?? `given-${name.toLowerCase()}`;

describe('the packaged CloudFormation template', () => {
  const variables = readmeVariables();
  const passed = variables.filter((v) => !(v in NOT_PASSED));
  let given: Packaged;
  let defaults: Packaged;
  let noClusters: Packaged;
  let blankClusters: Packaged;

  beforeAll(async () => {
    // Four isolated packagings in parallel; each takes a few seconds.
    [given, defaults, noClusters, blankClusters] = await Promise.all([
      packageService({
        ...Object.fromEntries(passed.map((v) => [v, givenValue(v)])),
        HEALTH_NAMESPACE: givenValue('HEALTH_NAMESPACE'),
        MACKEREL_API_KEY: SECRET_KEY,
        ALARM_TOPIC_ARN: ALARM_TOPIC,
      }),
      packageService({ ECS_CLUSTERS: 'prod', MACKEREL_API_KEY_PARAMETER: 'a/b' }),
      packageService({}),
      packageService({ ECS_CLUSTERS: ' , ' }),
    ]);
  }, 120_000);

  it('passes every variable of the README configuration table to both functions, with the value given at deploy', () => {
    // Assess
    expect(failureOf(given)).toBe('');
    expect(variables).toEqual(expect.arrayContaining(['ECS_CLUSTERS', 'MACKEREL_API_KEY_PARAMETER', ...Object.keys(NOT_PASSED)]));
    const fns = lambdaFunctions(given.template ?? { Resources: {} });
    expect([...fns.keys()]).toEqual(expect.arrayContaining(['CollectLambdaFunction', 'RefreshLambdaFunction']));
    for (const [id, fn] of fns) {
      const env = environmentOf(fn);
      const expected = Object.fromEntries(passed.map((v) => [v, givenValue(v)]));
      expect({ id, env: Object.fromEntries(passed.map((v) => [v, env[v]])) }).toEqual({ id, env: expected });
      expect({ id, notPassed: Object.keys(NOT_PASSED).filter((v) => v in env) }).toEqual({ id, notPassed: [] });
    }
    expect(JSON.stringify(given.template)).not.toContain(SECRET_KEY);
  });

  it('writes defaults that the config reads exactly as its own defaults (an empty value is unset)', () => {
    // Prepare
    const minimal = { ECS_CLUSTERS: 'prod', MACKEREL_API_KEY_PARAMETER: 'a/b', AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024' };

    // Act
    const fromTemplate = [...lambdaFunctions(defaults.template ?? { Resources: {} })].map(([id, fn]) => {
      const env = Object.fromEntries(Object.entries(environmentOf(fn)).map(([k, v]) => [k, String(v)]));
      return { id, config: loadConfig({ ...env, AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024' }) };
    });

    // Assess
    expect(failureOf(defaults)).toBe('');
    expect(fromTemplate.length).toBeGreaterThanOrEqual(2);
    for (const { id, config } of fromTemplate) expect({ id, config }).toEqual({ id, config: loadConfig(minimal) });
  });

  it('grants the key parameter by the same ARN, in the stack partition, with or without a leading slash', () => {
    // Act
    const arnsOf = (p: Packaged): string[] =>
      iamStatements(p.template ?? { Resources: {} })
        .filter((s) => [s.Action].flat().includes('ssm:GetParameters'))
        .flatMap((s) => [s.Resource].flat().map((r) => evaluate(r, PSEUDO)));

    // Assess
    const expected = ['arn:aws-cn:ssm:cn-north-1:123456789012:parameter/a/b'];
    expect(arnsOf(given)).toEqual(expected);
    expect(arnsOf(defaults)).toEqual(expected);
    for (const fn of lambdaFunctions(defaults.template ?? { Resources: {} }).values()) {
      expect(environmentOf(fn).MACKEREL_API_KEY_PARAMETER).toBe('a/b');
    }
  });

  it('builds every ARN from the stack partition and hard-codes arn:aws: nowhere', () => {
    for (const p of [given, defaults]) {
      // Act
      const resources = iamStatements(p.template ?? { Resources: {} })
        .flatMap((s) => [s.Resource].flat())
        .filter((r) => r !== '*')
        .map((r) => evaluate(r, PSEUDO));

      // Assess
      expect(resources.length).toBeGreaterThan(0);
      expect(resources.filter((arn) => !arn.startsWith('arn:aws-cn:'))).toEqual([]);
      expect(JSON.stringify(p.template)).not.toContain('arn:aws:');
    }
  });

  it('refuses to package without ECS_CLUSTERS, and says so by name', () => {
    for (const p of [noClusters, blankClusters]) {
      expect(p.code).not.toBe(0);
      expect(p.output).toContain('ECS_CLUSTERS is not set');
      expect(p.template).toBeUndefined();
    }
  });

  it('limits the task-state rule to the given clusters', () => {
    // Act
    const rule = Object.values(given.template?.Resources ?? {}).find((r) => r.Type === 'AWS::Events::Rule' && r.Properties?.EventPattern);

    // Assess
    expect(rule?.Properties?.EventPattern).toMatchObject({
      source: ['aws.ecs'],
      detail: { clusterArn: [{ suffix: ':cluster/prod' }, { suffix: ':cluster/staging' }] },
    });
  });

  it('alarms on errors and throttles of both functions and on the scheduled function not running', () => {
    // Act
    const template = defaults.template ?? { Resources: {} };
    const lambda = alarmsOf(template).filter((a) => a.Namespace === 'AWS/Lambda');
    const summary = lambda.map((a) => ({
      fn: (a.Dimensions as { Value: { Ref: string } }[])[0]?.Value.Ref,
      metric: a.MetricName,
      when: `${String(a.ComparisonOperator)} ${String(a.Threshold)}`,
      missing: a.TreatMissingData,
    }));

    // Assess
    expect(failureOf(defaults)).toBe('');
    expect(summary).toEqual(
      expect.arrayContaining([
        { fn: 'CollectLambdaFunction', metric: 'Errors', when: 'GreaterThanThreshold 0', missing: 'notBreaching' },
        { fn: 'CollectLambdaFunction', metric: 'Throttles', when: 'GreaterThanThreshold 0', missing: 'notBreaching' },
        { fn: 'RefreshLambdaFunction', metric: 'Errors', when: 'GreaterThanThreshold 0', missing: 'notBreaching' },
        { fn: 'RefreshLambdaFunction', metric: 'Throttles', when: 'GreaterThanThreshold 0', missing: 'notBreaching' },
        // No invocation at all gives no data point: missing data must count as stopped
        { fn: 'CollectLambdaFunction', metric: 'Invocations', when: 'LessThanThreshold 1', missing: 'breaching' },
      ]),
    );
    expect(summary).toHaveLength(5);
    for (const fn of new Set(summary.map((a) => a.fn))) expect(lambdaFunctions(template).has(fn ?? '')).toBe(true);
    const stopped = lambda.find((a) => a.MetricName === 'Invocations');
    expect((stopped?.Period as number) * (stopped?.EvaluationPeriods as number)).toBe(300);
  });

  it('alarms on the FailedRatio of each cluster under exactly the namespace, name and dimensions the collector emits', () => {
    for (const [p, clusters, namespace] of [
      [given, ['prod', 'staging'], givenValue('HEALTH_NAMESPACE')],
      [defaults, ['prod'], DEFAULT_HEALTH_NAMESPACE],
    ] as const) {
      // Prepare: what the collector writes for these clusters, in the namespace the functions are given
      const fnNamespace = environmentOf(lambdaFunctions(p.template ?? { Resources: {} }).get('CollectLambdaFunction') ?? {}).HEALTH_NAMESPACE;
      const lines: string[] = [];
      const byCluster = Object.fromEntries(clusters.map((c) => [c, { targets: 1, scraped: 0, failed: 1, skipped: 0, samples: 0 }]));
      const summary = { clusters, posted: 0, retryQueue: 0, durationMs: 1, failedBy: {}, skippedBy: {}, byCluster, discoveryFailed: [] };
      emitHealthMetrics(summary, { namespace: String(fnNamespace), write: (l) => lines.push(l) });
      const emitted = lines
        .flatMap((l) => emfMetrics(JSON.parse(l)))
        .filter((m) => m.name === FAILED_RATIO_METRIC)
        .map((m) => ({ Namespace: m.namespace, MetricName: m.name, Dimensions: sortedDimensions(Object.entries(m.dimensionSets[0] ?? {}).map(([Name, Value]) => ({ Name, Value }))) }));

      // Act
      const alarmed = alarmsOf(p.template ?? { Resources: {} })
        .filter((a) => a.MetricName === FAILED_RATIO_METRIC)
        .map((a) => ({ Namespace: a.Namespace, MetricName: a.MetricName, Dimensions: sortedDimensions(a.Dimensions as { Name: string; Value: string }[]) }));

      // Assess
      expect(fnNamespace).toBe(namespace);
      expect(emitted).toHaveLength(clusters.length);
      expect(alarmed).toEqual(emitted);
    }
  });

  it('notifies ALARM_TOPIC_ARN on alarm and on recovery when it is set, and has no actions without it', () => {
    // Act
    const actionsOf = (p: Packaged) =>
      alarmsOf(p.template ?? { Resources: {} }).map((a) => ({
        alarm: [a.AlarmActions ?? []].flat().map((r) => evaluate(r, PSEUDO)),
        ok: [a.OKActions ?? []].flat().map((r) => evaluate(r, PSEUDO)),
        insufficientData: a.InsufficientDataActions,
      }));

    // Assess
    const topic = `arn:aws-cn:sns:cn-north-1:123456789012:${ALARM_TOPIC}`;
    expect(actionsOf(given).length).toBeGreaterThanOrEqual(7);
    expect(new Set(actionsOf(given).map((a) => JSON.stringify(a)))).toEqual(new Set([JSON.stringify({ alarm: [topic], ok: [topic] })]));
    expect(new Set(actionsOf(defaults).map((a) => JSON.stringify(a)))).toEqual(new Set([JSON.stringify({ alarm: [], ok: [] })]));
    for (const fn of lambdaFunctions(given.template ?? { Resources: {} }).values()) expect(environmentOf(fn)).not.toHaveProperty('ALARM_TOPIC_ARN');
  });

  it('takes a full topic ARN as given, whatever its partition', () => {
    // Prepare
    const arn = 'arn:aws-us-gov:sns:us-gov-west-1:123456789012:collector-alarms';
    const alarms = createRequire(__filename)('../../deploy/alarms.cjs') as () => Record<string, { Properties: Record<string, unknown> }>;
    const before = { clusters: process.env.ECS_CLUSTERS, topic: process.env.ALARM_TOPIC_ARN };

    // Act
    let resources: Record<string, { Properties: Record<string, unknown> }>;
    try {
      Object.assign(process.env, { ECS_CLUSTERS: 'prod', ALARM_TOPIC_ARN: ` ${arn} ` });
      resources = alarms();
    } finally {
      restoreEnv('ECS_CLUSTERS', before.clusters);
      restoreEnv('ALARM_TOPIC_ARN', before.topic);
    }

    // Assess
    for (const r of Object.values(resources)) expect({ alarm: r.Properties.AlarmActions, ok: r.Properties.OKActions }).toEqual({ alarm: [arn], ok: [arn] });
  });
});

/** Dimensions in name order: CloudWatch does not order them, so neither does the comparison. */
function sortedDimensions(d: readonly { Name: string; Value: unknown }[]): { Name: string; Value: unknown }[] {
  return [...d].sort((a, b) => a.Name.localeCompare(b.Name));
}

function restoreEnv(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}
