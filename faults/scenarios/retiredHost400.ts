/**
 * Issue 8 (1): one host is retired after the first cycle while the collector's 1 h host cache still maps it,
 * so Mackerel answers 400 for its values. For 18 cycles the healthy host must keep receiving every cycle.
 */
import { check, type Scenario } from '../types';
import { nothingLost, runSession, summariesLogged } from '../lib/session';

export const scenario: Scenario = {
  name: '400 for a retired host among healthy ones, 18 cycles',
  run: (opts = {}) =>
    runSession('400 retired host, 18 cycles', { fakeTime: true }, async (s) => {
      await s.cycle();
      const [api, , web] = s.world.sim.tasks();
      if (!api || !web) throw new Error('small cluster without api/web');
      const retired = s.world.hostIdOf(api);
      const healthy = s.world.hostIdOf(web);
      s.world.sim.receiver.retireHost(api.instanceId ?? '');
      const n = opts.quick ? 4 : 18;
      const starved: number[] = [];
      for (let i = 0; i < n; i++) {
        const before = s.world.sim.receiver.posted().filter((v) => v.hostId === healthy).length;
        await s.cycle();
        const after = s.world.sim.receiver.posted().filter((v) => v.hostId === healthy).length;
        if (after === before) starved.push(i + 1);
      }
      const excluded = (v: { hostId: string }): boolean => v.hostId === retired;
      return {
        excluded,
        checks: [
          check('the healthy host received values in every cycle', starved.length === 0, starved.length ? `none in ${starved.length}/${n} cycles` : undefined),
          ...nothingLost(s.world, s.invocations, excluded),
          summariesLogged(s.invocations),
        ],
        note: `values for the retired host are not counted (Mackerel rightly refuses them)`,
      };
    }),
};
