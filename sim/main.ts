/**
 * Manual entry point: `npx tsx sim/main.ts` starts the standard scenario, prints its environment as
 * `export K=V` lines (eval them in another shell, then run the collector) and runs until SIGINT/SIGTERM.
 * The receiver's API key is also served from the simulated Parameter Store as a SecureString under
 * MACKEREL_API_KEY_PARAMETER, so `npx serverless invoke local -f collect` reads it as the Lambda does (@middy/ssm).
 */
import { standardScenario, startSimulation } from './index';
import { SIM_API_KEY_PARAMETER } from './ssmServer';

async function main(): Promise<void> {
  const sim = await startSimulation(standardScenario());
  sim.ssm.putParameter(SIM_API_KEY_PARAMETER, sim.receiver.apiKey);
  const env = { ...sim.env, MACKEREL_API_KEY_PARAMETER: SIM_API_KEY_PARAMETER };
  for (const [key, value] of Object.entries(env)) process.stdout.write(`export ${key}=${value}\n`);
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
