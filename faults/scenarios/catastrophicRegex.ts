/**
 * Issue 8 (5): TARGET_RULES `([a-z0-9]+-?)+` against a 41-character task family that almost matches. With a
 * backtracking engine this never returns and no deadline can fire, so it runs in a child process (the CLI,
 * same pipeline) killed after a limit, never in this one. It must end promptly.
 */
import { check, type Scenario } from '../types';
import { runCli } from '../lib/cli';
import { runSession } from '../lib/session';
import { smallCluster, standardSpec } from '../lib/world';

/** 40 letters and an underscore: valid as an ECS family, fatal to a backtracking `([a-z0-9]+-?)+`. */
export const EVIL_FAMILY = `${'a'.repeat(40)}_`;
const RULES = JSON.stringify([{ family: '([a-z0-9]+-?)+', port: 8080, format: 'gostats' }]);

export const scenario: Scenario = {
  name: 'catastrophic TARGET_RULES regex',
  run: (opts = {}) =>
    runSession(
      'catastrophic TARGET_RULES regex (CLI)',
      { clusters: [smallCluster([{ ...standardSpec('batch'), family: EVIL_FAMILY }])], env: { TARGET_RULES: RULES } },
      async (s) => {
        const limit = opts.quick ? 8000 : 20_000;
        const run = await runCli(['collect', '--json'], s.world.env, limit);
        return {
          noCounts: true,
          checks: [
            check('the cycle ends (no catastrophic backtracking)', !run.killed, `still running after ${run.wallMs} ms`),
            check('the CLI exits 0 or reports the rule', run.code === 0 || /TARGET_RULES/.test(run.stderr), `exit ${run.code ?? 'killed'}`),
          ],
          note: `CLI ${run.killed ? 'killed' : `exit ${run.code}`} after ${run.wallMs} ms`,
          cycleMs: run.wallMs,
        };
      },
    ),
};
