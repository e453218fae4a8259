/** Issue 8 (6): ECS_CLUSTERS names `prod` and a cluster that does not exist: prod is still collected. */
import { check, type Scenario } from '../types';
import { errorText, nothingLost, runSession } from '../lib/session';

export const scenario: Scenario = {
  name: 'one missing cluster among two',
  run: () =>
    runSession('missing cluster among two', { fakeTime: true, env: { ECS_CLUSTERS: 'prod,ghost' } }, async (s) => {
      const inv = await s.cycle();
      const issue = (inv.summary?.failed ?? []).find((i) => /ghost/.test(i.target + i.reason));
      return {
        checks: [
          check('the other cluster is collected', (inv.summary?.posted ?? 0) > 0, inv.error ? errorText(inv.error) : `posted ${inv.summary?.posted ?? 0}`),
          check('the missing cluster is an issue', issue !== undefined),
          ...nothingLost(s.world, s.invocations),
        ],
      };
    }),
};
