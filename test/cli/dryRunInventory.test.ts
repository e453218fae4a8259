/**
 * `collect --dry-run` writes nothing to Mackerel, so its summary must say that no host inventory was written.
 * Against a fresh simulation every host's inventory would change, which is where a dry run used to count the
 * writes it skipped as written.
 */
import type { Simulation } from '../../sim';
import { collectorEnv, runCli, startStandardSimulation } from '../e2e/harness';

let sim: Simulation;
beforeEach(async () => {
  sim = await startStandardSimulation();
});
afterEach(() => sim.stop());

/** Requests that change something in Mackerel (anything but GET). */
const writes = (s: Simulation): string[] => s.receiver.requests().filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path}`);

it.each([
  ['with the API key (inventories are read, never written)', {}],
  ['without an API key (an in-memory inventory)', { MACKEREL_API_KEY: undefined }],
])('reports inventoriesWritten 0 in a dry run %s', async (_how, extra: Record<string, string | undefined>) => {
  // Act
  const run = await runCli(['collect', '--dry-run', '--json'], { ...collectorEnv(sim), ...extra });

  // Assess
  expect(run.code).toBe(0);
  const summary = JSON.parse(run.stdout) as { dryRun: boolean; inventoriesWritten: number; hosts: number };
  expect(summary.dryRun).toBe(true);
  expect(summary.hosts).toBeGreaterThan(0);
  expect(writes(sim)).toEqual([]);
  expect(summary.inventoriesWritten).toBe(0);
});
