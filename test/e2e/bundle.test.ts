import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import type { Simulation } from '../../sim';
import { REPO_ROOT, startStandardSimulation } from './harness';
import { emfMetrics, emfProblems, isEmfDocument, parseJsonLines } from '../health/emfSpec';

// What Lambda runs is not the TypeScript: it is the esbuild bundle serverless-esbuild makes (middy is ESM-only,
// @aws-sdk/* is left to the runtime). Bundle the handlers with the options of serverless.yml and run them, in a
// plain node process, against the simulator.
// Per process: two test runs at once (a watcher and a CI run) must not delete each other's bundle.
const OUT = path.join(REPO_ROOT, `.bundle-test-${process.pid}`);

/** Marks the handler's return value among the lines the handler itself writes to stdout (logs, EMF). */
const RESULT = 'HANDLER-RESULT ';

/** What one invocation returned, and every other line it wrote to stdout, as CloudWatch Logs would receive them. */
interface Invocation {
  readonly result: unknown;
  readonly lines: string[];
}

function invoke(file: string, event: unknown, env: Record<string, string>): Promise<Invocation> {
  const script = `require(${JSON.stringify(file)}).handler(${JSON.stringify(event)}, { getRemainingTimeInMillis: () => 50000, awsRequestId: 'bundle-test' })
    .then((r) => process.stdout.write('\\n${RESULT}' + JSON.stringify(r) + '\\n'), (e) => { console.error(e); process.exit(1); })`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`exit ${code}: ${err.slice(-2000)}`));
      const all = out.split('\n').filter((l) => l !== '');
      const result = all.find((l) => l.startsWith(RESULT));
      if (result === undefined) return reject(new Error(`no result line in: ${out.slice(-2000)}`));
      resolve({ result: JSON.parse(result.slice(RESULT.length)), lines: all.filter((l) => !l.startsWith(RESULT)) });
    });
  });
}

describe('the Lambda bundle', () => {
  let sim: Simulation;
  beforeAll(async () => {
    await build({
      entryPoints: ['handlers/collect.ts', 'handlers/refresh.ts'].map((f) => path.join(REPO_ROOT, f)),
      outdir: OUT,
      bundle: true,
      platform: 'node',
      target: 'node22',
      format: 'cjs',
      external: ['@aws-sdk/*'],
      logLevel: 'silent',
    });
    sim = await startStandardSimulation();
  });
  afterAll(async () => {
    await sim.stop();
    rmSync(OUT, { recursive: true, force: true });
  });

  it('runs a scheduled cycle and a refresh event from the bundled handlers, posting to the instances hosts', async () => {
    // Prepare
    const env = { ...sim.env, SCRAPE_TIMEOUT_MS: '500', LOG_LEVEL: 'error' };

    // Act
    const collected = await invoke(path.join(OUT, 'collect.js'), { 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} }, env);
    const event = sim.events().find((e) => e.detail.group === 'service:worker');
    const refreshed = await invoke(path.join(OUT, 'refresh.js'), event, env);

    // Assess
    expect(collected.result).toEqual({ targets: 9, scraped: 5, posted: sim.receiver.posted().length - 4, failed: 3 });
    expect(refreshed.result).toEqual({ action: 'scraped', targets: 1, posted: 4, failed: 0 });
    const worker = sim.tasks().find((t) => t.family === 'worker');
    const hostId = sim.receiver.hostByInstance(worker?.instanceId ?? '')?.id;
    expect(sim.receiver.posted().filter((v) => v.hostId === hostId && v.name.startsWith('custom.worker.'))).toHaveLength(8);
  });

  // Issue 9, item 2: the collector's health as CloudWatch parses it: EMF JSON lines on the real handler's stdout.
  it('writes the cycle\'s health to stdout as EMF documents that CloudWatch accepts, with the figures of the cycle', async () => {
    // Prepare
    const env = { ...sim.env, SCRAPE_TIMEOUT_MS: '500', LOG_LEVEL: 'error', HEALTH_NAMESPACE: 'BundleTest' };

    // Act
    const run = await invoke(path.join(OUT, 'collect.js'), { 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} }, env);

    // Assess
    const docs = parseJsonLines(run.lines.join('\n')).filter(isEmfDocument) as Record<string, unknown>[];
    expect(docs.length).toBeGreaterThan(0);
    for (const doc of docs) expect(emfProblems(doc)).toEqual([]);
    const cluster = docs.find((d) => d.Cluster === 'prod');
    expect(emfMetrics(cluster).every((m) => m.namespace === 'BundleTest')).toBe(true);
    expect(cluster).toMatchObject({ Targets: 9, Scraped: 5, Failed: 3, FailedRatio: 3 / 9 });
    const timeouts = docs.find((d) => d.Stage === 'scrape' && d.Kind === 'timeout');
    expect(timeouts).toMatchObject({ Failures: 1 });
  });
});
