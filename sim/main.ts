/**
 * Manual entry point: `npx tsx sim/main.ts` starts the standard scenario, prints its environment as
 * `export K=V` lines (eval them in another shell, then run the collector) and runs until SIGINT/SIGTERM.
 */
import { standardScenario, startSimulation } from './index';

async function main(): Promise<void> {
  const sim = await startSimulation(standardScenario());
  for (const [key, value] of Object.entries(sim.env)) process.stdout.write(`export ${key}=${value}\n`);
  process.stderr.write(`simulation running: ${sim.tasks().length} tasks; Ctrl-C to stop\n`);
  const shutdown = (): void => {
    sim.stop().then(
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
