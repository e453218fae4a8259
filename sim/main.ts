/**
 * Manual entry point: `npx tsx sim/main.ts` starts the standard scenario, prints its environment as
 * `export K=V` lines (eval them in another shell, then run the collector) and runs until SIGINT/SIGTERM.
 * The receiver's API key is also served from the simulated Parameter Store as a SecureString under
 * MACKEREL_API_KEY_PARAMETER, so `npx serverless invoke local -f collect` reads it as the Lambda does (@middy/ssm).
 * The RUNNING event of each task is written to a temporary directory (named on stderr), for
 * `npx serverless invoke local -f refresh --path <file>`.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { standardScenario, startSimulation } from './index';
import { SIM_API_KEY_PARAMETER } from './ssmServer';

async function main(): Promise<void> {
  const sim = await startSimulation(standardScenario());
  sim.ssm.putParameter(SIM_API_KEY_PARAMETER, sim.receiver.apiKey);
  const env = { ...sim.env, MACKEREL_API_KEY_PARAMETER: SIM_API_KEY_PARAMETER };
  for (const [key, value] of Object.entries(env)) process.stdout.write(`export ${key}=${value}\n`);
  const eventsDir = await mkdtemp(join(tmpdir(), 'sim-events-'));
  const running = sim.events().filter((e) => e.detail.lastStatus === 'RUNNING');
  const files: string[] = [];
  for (const [i, event] of running.entries()) {
    const task = sim.tasks().find((t) => t.arn === event.detail.taskArn);
    const file = join(eventsDir, `${String(i + 1).padStart(2, '0')}-${task?.family ?? 'task'}-running.json`);
    await writeFile(file, JSON.stringify(event, null, 2) + '\n');
    files.push(file);
  }
  process.stderr.write(`simulation running: ${sim.tasks().length} tasks; Ctrl-C to stop\n`);
  process.stderr.write(`RUNNING events in ${eventsDir} (e.g. npx serverless invoke local -f refresh --path ${files[0] ?? '<file>'})\n`);
  const shutdown = (): void => {
    Promise.all([sim.stop(), rm(eventsDir, { recursive: true, force: true })]).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((e: unknown) => {
  process.stderr.write(`simulation failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
