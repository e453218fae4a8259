import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import type { Simulation } from '../../sim';
import { REPO_ROOT, startStandardSimulation } from './harness';

// What Lambda runs is not the TypeScript: it is the esbuild bundle serverless-esbuild makes (middy is ESM-only,
// @aws-sdk/* is left to the runtime). Bundle the handlers with the options of serverless.yml and run them, in a
// plain node process, against the simulator.
const OUT = path.join(REPO_ROOT, '.bundle-test');

function invoke(file: string, event: unknown, env: Record<string, string>): Promise<unknown> {
  const script = `require(${JSON.stringify(file)}).handler(${JSON.stringify(event)}, { getRemainingTimeInMillis: () => 50000, awsRequestId: 'bundle-test' })
    .then((r) => process.stdout.write(JSON.stringify(r)), (e) => { console.error(e); process.exit(1); })`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`exit ${code}: ${err.slice(-2000)}`))));
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
    expect(collected).toEqual({ targets: 9, scraped: 5, posted: sim.receiver.posted().length - 4, failed: 3 });
    expect(refreshed).toEqual({ action: 'scraped', targets: 1, posted: 4, failed: 0 });
    const worker = sim.tasks().find((t) => t.family === 'worker');
    const hostId = sim.receiver.hostByInstance(worker?.instanceId ?? '')?.id;
    expect(sim.receiver.posted().filter((v) => v.hostId === hostId && v.name.startsWith('custom.worker.'))).toHaveLength(8);
  });
});
