/**
 * Exit code 5 (README "Exit codes"): `discover` and `collect` end non-zero, with the cause on stderr, when the
 * discovery of a configured cluster failed entirely. The real CLI runs as a child process (the SDK resolves the
 * Region once per process, so each case needs its own), with ECS at a loopback port nothing listens on.
 */
import { EXIT } from '../../src/cli';
import { runCli } from '../e2e/harness';
import { closedPort } from '../sim/clients';


/** A complete collector environment, no AWS config file to fall back on, and ECS/EC2 at `port`. */
function envAt(port: number, extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    ECS_CLUSTERS: 'prod,staging',
    DRY_RUN: 'true',
    MACKEREL_API_KEY: undefined,
    MACKEREL_API_KEY_PARAMETER: undefined,
    ALLOWED_CIDRS: '127.0.0.0/8',
    LOG_LEVEL: 'error',
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: undefined,
    AWS_PROFILE: undefined,
    AWS_CONFIG_FILE: '/nonexistent/aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
    AWS_ACCESS_KEY_ID: 'AKIAEXAMPLETEST00000',
    AWS_SECRET_ACCESS_KEY: 'not-a-real-secret-access-key',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    AWS_MAX_ATTEMPTS: '1',
    AWS_ENDPOINT_URL_ECS: `http://127.0.0.1:${port}`,
    AWS_ENDPOINT_URL_EC2: `http://127.0.0.1:${port}`,
    ...extra,
  };
}

let port: number;
beforeAll(async () => {
  port = await closedPort();
});

describe('when ECS is unreachable', () => {
  it('discover exits 5 and says on stderr which clusters went unseen and why', async () => {
    // Act
    const run = await runCli(['discover'], envAt(port));

    // Assess
    expect(run.code).toBe(EXIT.DISCOVERY);
    for (const cluster of ['prod', 'staging']) {
      expect(run.stderr).toMatch(new RegExp(`discovery of cluster ${cluster} failed.*ECONNREFUSED 127\\.0\\.0\\.1:${port}.*\\(discovery/refused\\)`));
    }
    expect(run.stdout).toContain('discovery failed entirely for 2 cluster(s): prod, staging');
    expect(run.stdout).toMatch(/failed \(2\): discovery\/refused 2\n {2}discovery\/refused \(2\):\n {4}prod: .*ECONNREFUSED/);
  });

  it('collect exits 5 with the cause on stderr, and --json still prints the summary naming the clusters', async () => {
    // Act
    const run = await runCli(['collect', '--json'], envAt(port));

    // Assess
    expect(run.code).toBe(EXIT.DISCOVERY);
    expect(run.stderr).toMatch(/discovery of cluster prod failed.*ECONNREFUSED/);
    const summary = JSON.parse(run.stdout) as { discoveryFailed: string[]; failedBy: Record<string, number> };
    expect(summary.discoveryFailed).toEqual(['prod', 'staging']);
    expect(summary.failedBy).toEqual({ 'discovery/refused': 2 });
  });

  it('collect in human form lists the failures grouped by stage/kind', async () => {
    // Act
    const run = await runCli(['collect'], envAt(port));

    // Assess
    expect(run.code).toBe(EXIT.DISCOVERY);
    expect(run.stdout).toContain('failed (2): discovery/refused 2');
    expect(run.stdout).toMatch(/ {4}staging: .*ECONNREFUSED/);
  });
});

it('discover exits 5 and names AWS_REGION when no Region is configured anywhere', async () => {
  // Act
  const run = await runCli(['discover'], envAt(port, { AWS_REGION: undefined }));

  // Assess
  expect(run.code).toBe(EXIT.DISCOVERY);
  expect(run.stderr).toMatch(/discovery of cluster prod failed.*Region is missing.*set AWS_REGION/);
});

it('documents exit code 5 in the usage', async () => {
  // Act
  const run = await runCli(['--help'], {});

  // Assess
  expect(run.code).toBe(EXIT.OK);
  expect(run.stdout).toMatch(/5 \(collect, discover\) discovery of at least one cluster failed entirely/);
});
