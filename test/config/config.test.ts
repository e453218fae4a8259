import { DEFAULTS, loadConfig, type Config } from '../../src/config/config';
import type { ConfigError } from '../../src/errors';

const SECRET = 'mkr-config-test-secret-91c4e2';
const MINIMAL = { ECS_CLUSTERS: 'prod', MACKEREL_API_KEY: SECRET };

function valid(env: Record<string, string | undefined>, overrides?: { dryRun?: boolean }): Config {
  const r = loadConfig(env, overrides);
  if (!r.ok) throw new Error(`expected a valid config, got: ${r.error.message}`);
  return r.value;
}

function problems(env: Record<string, string | undefined>): readonly string[] {
  const r = loadConfig(env);
  if (r.ok) throw new Error('expected the configuration to be refused');
  return r.error.problems;
}

describe('defaults', () => {
  it('fills every optional setting with its documented default', () => {
    const c = valid(MINIMAL);
    expect(c).toMatchObject({
      clusters: ['prod'],
      scrapeMode: 'direct',
      mackerelApiKey: SECRET,
      mackerelApiBase: 'https://api.mackerelio.com',
      targetRules: [],
      metricKey: 'task',
      scrapeTimeoutMs: DEFAULTS.SCRAPE_TIMEOUT_MS,
      scrapeConcurrency: DEFAULTS.SCRAPE_CONCURRENCY,
      maxBodyBytes: DEFAULTS.MAX_BODY_BYTES,
      dryRun: false,
      logLevel: 'info',
    });
    expect(c.mackerelApiKeyParameter).toBeUndefined();
  });

  it('allows only the RFC 1918 ranges by default', () => {
    const c = valid(MINIMAL);
    expect(c.allowedCidrs).toHaveLength(3);
    expect(valid({ ...MINIMAL, ALLOWED_CIDRS: '127.0.0.0/8' }).allowedCidrs).toHaveLength(1);
  });

  it('returns a frozen configuration', () => {
    const c = valid(MINIMAL);
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.clusters)).toBe(true);
  });
});

describe('parsing', () => {
  it('splits and trims ECS_CLUSTERS, dropping empty entries', () => {
    expect(valid({ ...MINIMAL, ECS_CLUSTERS: ' prod , arn:aws:ecs:us-east-1:111122223333:cluster/stg ,,' }).clusters).toEqual([
      'prod',
      'arn:aws:ecs:us-east-1:111122223333:cluster/stg',
    ]);
  });

  it('treats blank values as unset', () => {
    const c = valid({ ...MINIMAL, METRIC_KEY: '  ', SCRAPE_TIMEOUT_MS: '', TARGET_RULES: ' ' });
    expect([c.metricKey, c.scrapeTimeoutMs, c.targetRules]).toEqual(['task', DEFAULTS.SCRAPE_TIMEOUT_MS, []]);
  });

  it('reads numbers, booleans, enums and the API base without its trailing slash', () => {
    const c = valid({
      ...MINIMAL,
      MACKEREL_API_BASE: 'http://127.0.0.1:8080/',
      METRIC_KEY: 'port',
      SCRAPE_TIMEOUT_MS: '500',
      SCRAPE_CONCURRENCY: '8',
      MAX_BODY_BYTES: '1048576',
      DRY_RUN: 'yes',
      LOG_LEVEL: 'debug',
    });
    expect(c).toMatchObject({
      mackerelApiBase: 'http://127.0.0.1:8080',
      metricKey: 'port',
      scrapeTimeoutMs: 500,
      scrapeConcurrency: 8,
      maxBodyBytes: 1048576,
      dryRun: true,
      logLevel: 'debug',
    });
  });

  it('compiles TARGET_RULES into rules the resolver can match', () => {
    const [rule] = valid({ ...MINIMAL, TARGET_RULES: '[{"family":"batch","port":8080,"format":"gostats"}]' }).targetRules;
    expect(rule).toMatchObject({ port: 8080, format: 'gostats' });
    expect(rule?.familyPattern?.test('batch')).toBe(true);
    expect(rule?.familyPattern?.test('batch-canary')).toBe(false);
  });
});

describe('MAX_INFLIGHT_BYTES', () => {
  const MIB = 1024 * 1024;

  it('is 256 MiB when the function memory is unknown (the CLI)', () => {
    expect(valid(MINIMAL).maxInflightBytes).toBe(256 * MIB);
  });

  it("is a quarter of the Lambda function's memory", () => {
    expect(valid({ ...MINIMAL, AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024' }).maxInflightBytes).toBe(256 * MIB);
    expect(valid({ ...MINIMAL, AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '3008' }).maxInflightBytes).toBe(752 * MIB);
    expect(valid({ ...MINIMAL, AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128' }).maxInflightBytes).toBe(32 * MIB);
  });

  it('keeps the fixed default when AWS_LAMBDA_FUNCTION_MEMORY_SIZE is not a memory size Lambda sets', () => {
    for (const v of ['', 'lots', '64', '1.5']) expect(valid({ ...MINIMAL, AWS_LAMBDA_FUNCTION_MEMORY_SIZE: v }).maxInflightBytes).toBe(256 * MIB);
  });

  it('takes an explicit value over the derived one', () => {
    expect(valid({ ...MINIMAL, AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024', MAX_INFLIGHT_BYTES: String(64 * MIB) }).maxInflightBytes).toBe(64 * MIB);
  });
});

describe('the API key', () => {
  it('may come from an SSM parameter name instead of the key itself', () => {
    const c = valid({ ECS_CLUSTERS: 'prod', MACKEREL_API_KEY_PARAMETER: '/collector/mackerel-api-key' });
    expect([c.mackerelApiKey, c.mackerelApiKeyParameter]).toEqual([undefined, '/collector/mackerel-api-key']);
  });

  it('is required unless it is a dry run, and the message says both ways to give it', () => {
    expect(problems({ ECS_CLUSTERS: 'prod' })).toEqual([expect.stringMatching(/^MACKEREL_API_KEY or MACKEREL_API_KEY_PARAMETER: one is required/)]);
  });

  it('is not needed for DRY_RUN=true or the --dry-run override', () => {
    expect(valid({ ECS_CLUSTERS: 'prod', DRY_RUN: 'true' }).dryRun).toBe(true);
    expect(valid({ ECS_CLUSTERS: 'prod' }, { dryRun: true })).toMatchObject({ dryRun: true, mackerelApiKey: undefined });
  });

  it('lets the --dry-run override win over DRY_RUN=false', () => {
    expect(valid({ ...MINIMAL, DRY_RUN: 'false' }, { dryRun: true }).dryRun).toBe(true);
  });

  it('is never echoed in an error message, whatever else is wrong', () => {
    const r = loadConfig({ ...MINIMAL, ECS_CLUSTERS: '', METRIC_KEY: 'bogus', SCRAPE_MODE: 'pull', MACKEREL_API_BASE: 'ftp://x' });
    const error = r.ok ? undefined : r.error;
    expect(error?.problems).toHaveLength(4);
    expect(error?.message).not.toContain(SECRET);
    expect(JSON.stringify(error)).not.toContain(SECRET);
  });
});

describe('each invalid variable is named with the value received', () => {
  const cases: [string, string, RegExp][] = [
    ['SCRAPE_MODE', 'pull', /^SCRAPE_MODE: expected .*direct.*, got "pull"$/],
    ['MACKEREL_API_BASE', 'api.mackerelio.com', /^MACKEREL_API_BASE: expected an http\(s\) URL, got "api\.mackerelio\.com"$/],
    ['TARGET_RULES', '{oops', /^TARGET_RULES is not valid JSON/],
    ['TARGET_RULES', '{"family":"x","port":1}', /^TARGET_RULES must be a JSON array/],
    ['TARGET_RULES', '[{"family":"x","port":70000}]', /^TARGET_RULES\[0\]\.port 70000 must be an integer 1-65535$/],
    ['TARGET_RULES', '[{"family":"x","port":80,"fromat":"gostats"}]', /^TARGET_RULES\[0\]: unknown key "fromat"/],
    ['METRIC_KEY', 'bogus', /^METRIC_KEY: expected one of task, port, slot, got "bogus"$/],
    ['SCRAPE_TIMEOUT_MS', '10', /^SCRAPE_TIMEOUT_MS: expected an integer from 50 to 60000, got "10"$/],
    ['SCRAPE_TIMEOUT_MS', '1.5', /^SCRAPE_TIMEOUT_MS: expected an integer from 50 to 60000, got "1\.5"$/],
    ['SCRAPE_CONCURRENCY', '0', /^SCRAPE_CONCURRENCY: expected an integer from 1 to 1024, got "0"$/],
    ['MAX_BODY_BYTES', '4MiB', /^MAX_BODY_BYTES: expected an integer from 1024 to 67108864, got "4MiB"$/],
    ['MAX_INFLIGHT_BYTES', '256MiB', /^MAX_INFLIGHT_BYTES: expected an integer from 1048576 \(1 MiB\) to 68719476736 \(64 GiB\), got "256MiB"$/],
    ['MAX_INFLIGHT_BYTES', '1000', /^MAX_INFLIGHT_BYTES: expected an integer from 1048576 .*, got "1000"$/],
    ['DRY_RUN', 'maybe', /^DRY_RUN: expected true or false, got "maybe"$/],
    ['ALLOWED_CIDRS', '127.0.0.1/8', /^ALLOWED_CIDRS: invalid CIDR "127\.0\.0\.1\/8": host bits are set/],
    ['ALLOWED_CIDRS', '999.0.0.0/8', /^ALLOWED_CIDRS: invalid CIDR "999\.0\.0\.0\/8"/],
    ['LOG_LEVEL', 'loud', /^LOG_LEVEL: expected one of debug, info, warn, error, got "loud"$/],
  ];

  it.each(cases)('%s=%s', (name, value, expected) => {
    expect(problems({ ...MINIMAL, [name]: value })).toEqual([expect.stringMatching(expected)]);
  });

  it('ECS_CLUSTERS missing, blank or only commas', () => {
    for (const v of [undefined, ' ', ',,']) {
      expect(problems({ ...MINIMAL, ECS_CLUSTERS: v })).toEqual([expect.stringMatching(/^ECS_CLUSTERS: required, a comma-separated list/)]);
    }
  });
});

describe('several problems at once', () => {
  it('reports every bad variable in one error, one line each', () => {
    const r = loadConfig({ ...MINIMAL, ECS_CLUSTERS: '', METRIC_KEY: 'bogus', TARGET_RULES: '[{"family":"batch"}]', LOG_LEVEL: 'loud' });
    const error: ConfigError | undefined = r.ok ? undefined : r.error;
    expect(error?.name).toBe('ConfigError');
    expect(error?.problems.map((p) => p.split(/[:[ ]/)[0])).toEqual(['ECS_CLUSTERS', 'TARGET_RULES', 'METRIC_KEY', 'LOG_LEVEL']);
    expect(error?.message.split('\n')).toHaveLength(5);
  });

  it('reports a missing API key together with the other problems', () => {
    expect(problems({ ECS_CLUSTERS: 'prod', METRIC_KEY: 'bogus' })).toEqual([
      expect.stringMatching(/^METRIC_KEY/),
      expect.stringMatching(/^MACKEREL_API_KEY or MACKEREL_API_KEY_PARAMETER/),
    ]);
  });
});
