/**
 * `serverless invoke local` against the simulator (README "Deploy"): osls bundles each handler with esbuild as
 * the deploy does, loads it in its own process and invokes it once. The run must end by itself (a timer left
 * armed by the key cache used to keep the process alive for good) and run a real cycle with the key read from
 * the simulated Parameter Store. Each run uses its own service directory (links to the repository, as
 * test/deploy does), so it never touches the work tree's `.esbuild/` or `.serverless/`.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Simulation } from '../../sim';
import { SIM_API_KEY_PARAMETER } from '../../sim/ssmServer';
import { BATCH_RULE, E2E_API_KEY, REPO_ROOT, startStandardSimulation, taskOf } from '../e2e/harness';
import { eventOf } from '../e2e/harness5';

const OSLS_BIN = path.join(REPO_ROOT, 'node_modules/osls/bin/serverless.js');
/** Build output of other runs and the repository itself stay out of the service directory. */
const NOT_LINKED = new Set(['.git', '.serverless', '.esbuild', 'serverless.yml']);
/** Bundling plus one cycle take about 5 s; a run still going after this never ends by itself. */
const INVOKE_KILL_AFTER_MS = 40_000;

let sim: Simulation;
let work: string;

beforeAll(async () => {
  sim = await startStandardSimulation();
  sim.ssm.putParameter(SIM_API_KEY_PARAMETER, E2E_API_KEY);
  work = mkdtempSync(path.join(tmpdir(), 'invoke-local-'));
  const service = path.join(work, 'service');
  mkdirSync(service);
  for (const entry of readdirSync(REPO_ROOT)) if (!NOT_LINKED.has(entry)) symlinkSync(path.join(REPO_ROOT, entry), path.join(service, entry));
  copyFileSync(path.join(REPO_ROOT, 'serverless.yml'), path.join(service, 'serverless.yml'));
});
afterAll(async () => {
  rmSync(work, { recursive: true, force: true });
  await sim.stop();
});

/** `serverless invoke local -f <fn> [args]` with the simulator's environment, the key only in SSM. */
function invokeLocal(fn: string, args: readonly string[] = []): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const { MACKEREL_API_KEY: _notPassed, ...simEnv } = sim.env;
  const env = {
    ...simEnv,
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: work,
    MACKEREL_API_KEY_PARAMETER: SIM_API_KEY_PARAMETER,
    // serverless.yml passes these on from the environment, as a deploy would.
    TARGET_RULES: BATCH_RULE,
    SCRAPE_TIMEOUT_MS: '500',
    SLS_TELEMETRY_DISABLED: '1',
    SLS_NOTIFICATIONS_MODE: 'off',
  };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [OSLS_BIN, 'invoke', 'local', '-f', fn, ...args], { cwd: path.join(work, 'service'), env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), INVOKE_KILL_AFTER_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The handler's result: the last pretty-printed JSON object osls writes to stdout. */
function resultOf(stdout: string): Record<string, unknown> {
  const start = stdout.lastIndexOf('\n{\n');
  return JSON.parse(stdout.slice(start < 0 ? 0 : start)) as Record<string, unknown>;
}

it('runs one collect cycle and exits by itself', async () => {
  // Act
  const run = await invokeLocal('collect');

  // Assess
  expect({ code: run.code, stderr: run.code === 0 ? '' : run.stderr.slice(-2000) }).toEqual({ code: 0, stderr: '' });
  const result = resultOf(run.stdout);
  expect(result).toMatchObject({ targets: 10, scraped: 6, failed: 3 });
  expect(result.posted).toBeGreaterThan(0);
  expect(sim.receiver.posted()).toHaveLength(result.posted as number);
  expect(sim.calls()['ssm:GetParameters']).toBe(1);
  expect(run.stdout + run.stderr).not.toContain(E2E_API_KEY);
}, 60_000);

it('runs the refresh function on a RUNNING event given with --path', async () => {
  // Prepare
  const file = path.join(work, 'event.json');
  writeFileSync(file, JSON.stringify(eventOf(sim, taskOf(sim, 'web'), 'RUNNING')));

  // Act
  const run = await invokeLocal('refresh', ['--path', file]);

  // Assess
  expect({ code: run.code, stderr: run.code === 0 ? '' : run.stderr.slice(-2000) }).toEqual({ code: 0, stderr: '' });
  expect(resultOf(run.stdout)).toMatchObject({ action: 'scraped', targets: 1, failed: 0 });
}, 60_000);
