/**
 * Issue 8 (4): ListTasks answers the same nextToken forever. In-process through the Lambda path (8 s remaining,
 * deadline after 5 s) the listing must stop by itself after a bounded number of calls and the cycle must log
 * its summary (with `aborted` or an issue). The CLI, which had no deadline, must end too (killed after 20 s).
 */
import { check, type Scenario } from '../types';
import { runCli } from '../lib/cli';
import { runSession } from '../lib/session';
import type { World } from '../lib/world';

/** More calls than this for one listing means the repeated token was not noticed. */
const MAX_LIST_CALLS = 50;

function loopListTasks(w: World): void {
  const arn = w.sim.tasks()[0]?.arn ?? '';
  w.ecs?.setRules([
    {
      prefix: '/',
      when: (r) => String(r.headers['x-amz-target'] ?? '').endsWith('.ListTasks'),
      action: {
        kind: 'respond',
        respond: () => ({ status: 200, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: JSON.stringify({ taskArns: [arn], nextToken: 'same-token-forever' }) }),
      },
    },
  ]);
}

const listCalls = (w: World): number => w.ecs?.requests().filter((r) => r.target.endsWith('.ListTasks')).length ?? 0;

export const inProcess: Scenario = {
  name: 'ListTasks repeats its nextToken (Lambda)',
  run: () =>
    runSession('ListTasks same nextToken (Lambda)', { proxyEcs: true }, async (s) => {
      loopListTasks(s.world);
      const inv = await s.cycle(8000);
      const calls = listCalls(s.world);
      const logged = inv.logged;
      const reason = String(logged?.aborted ?? '') + JSON.stringify(logged?.failed ?? []);
      return {
        noCounts: true,
        checks: [
          check(`ListTasks calls stay bounded (≤ ${MAX_LIST_CALLS})`, calls <= MAX_LIST_CALLS, `${calls} calls`),
          check('the cycle logged its summary', logged !== undefined),
          check('the summary says why (aborted or an issue)', /token|abort|deadline|pagin/i.test(reason), reason.slice(0, 120)),
        ],
        note: `${calls} ListTasks calls`,
      };
    }),
};

export const cli: Scenario = {
  name: 'ListTasks repeats its nextToken (CLI)',
  run: () =>
    runSession('ListTasks same nextToken (CLI)', { proxyEcs: true }, async (s) => {
      loopListTasks(s.world);
      const run = await runCli(['collect', '--json'], s.world.env, 20_000);
      const calls = listCalls(s.world);
      return {
        noCounts: true,
        checks: [
          check('the CLI ends by itself', !run.killed, `killed after ${run.wallMs} ms, ${calls} ListTasks calls`),
          check(`ListTasks calls stay bounded (≤ ${MAX_LIST_CALLS})`, calls <= MAX_LIST_CALLS, `${calls} calls`),
        ],
        note: `exit ${run.code ?? 'killed'} after ${run.wallMs} ms, ${calls} ListTasks calls`,
        cycleMs: run.wallMs,
      };
    }),
};

export const scenarios = [inProcess, cli];
