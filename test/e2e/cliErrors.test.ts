/**
 * The CLI's exit codes when a cycle cannot run (README "exit codes": 2 invalid configuration, 3 critical
 * error), through the real command as a child process. None of these runs may print an API key.
 */
import type { Simulation } from '../../sim';
import { collectorEnv, E2E_API_KEY, runCli, startStandardSimulation, type CliRun } from './harness';

const WRONG_KEY = 'wrong-e2e-key-3b8d41f09c2a6e57';

let sim: Simulation;
const runs: CliRun[] = [];

beforeAll(async () => {
  sim = await startStandardSimulation();
});
afterAll(() => sim.stop());

async function cli(args: readonly string[], env: Record<string, string | undefined>): Promise<CliRun> {
  const run = await runCli(args, env);
  runs.push(run);
  return run;
}

it('exits 3 without printing the key when Mackerel answers 401 to a wrong MACKEREL_API_KEY', async () => {
  // Act
  const run = await cli(['collect', '--json'], collectorEnv(sim, { MACKEREL_API_KEY: WRONG_KEY, LOG_LEVEL: 'debug' }));

  // Assess
  expect(run.code).toBe(3);
  expect(run.stderr).toMatch(/critical: .*rejected the API key.*HTTP 401/);
  expect(run.stdout).toBe('');
  expect(run.stdout + run.stderr).not.toContain(WRONG_KEY);
  expect(sim.receiver.posted()).toEqual([]);
});

it('exits 2 and names every bad variable when the configuration is invalid', async () => {
  // Prepare
  const env = collectorEnv(sim, { METRIC_KEY: 'bogus', TARGET_RULES: '[{"family":"batch"}]' });

  // Act
  const run = await cli(['collect'], { ...env, ECS_CLUSTERS: undefined });

  // Assess
  expect(run.code).toBe(2);
  expect(run.stderr).toContain('invalid configuration');
  expect(run.stderr).toMatch(/ECS_CLUSTERS: required/);
  expect(run.stderr).toMatch(/METRIC_KEY: expected one of task, port, slot, got "bogus"/);
  expect(run.stderr).toMatch(/TARGET_RULES\[0\].*port is required/);
  expect(run.stdout).toBe('');
});

it('exits 3 and says access was denied when ECS refuses ListTasks', async () => {
  // Prepare
  sim.ecs.failNext('ListTasks', 'AccessDeniedException');

  // Act
  const run = await cli(['collect'], collectorEnv(sim));

  // Assess
  expect(run.code).toBe(3);
  expect(run.stderr).toMatch(/critical: .*(AccessDenied|not authorized)/);
  expect(run.stderr).toContain('ListTasks');
  expect(sim.receiver.posted()).toEqual([]);
});

it('exits 2 with the usage for an unknown command', async () => {
  const run = await cli(['colect'], collectorEnv(sim));
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(/unknown command "colect"[\s\S]*usage: mackerel-ecs-collector/);
});

it('never prints the API key on stdout or stderr', () => {
  expect(runs.length).toBeGreaterThanOrEqual(3);
  for (const run of runs) {
    expect(run.stdout + run.stderr).not.toContain(E2E_API_KEY);
    expect(run.stdout + run.stderr).not.toContain(WRONG_KEY);
  }
});
