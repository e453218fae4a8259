/**
 * Issue 8 (3): a cold start in the middle of an outage. The warm container queues 3 cycles of values, a new
 * container replaces it (its memory is gone), 2 more outage cycles, then recovery. Without a durable state
 * store the queue is lost (and a cold container cannot even look its hosts up during the outage): the verdict
 * is needs-durable-state until that issue lands.
 */
import { check, type Scenario } from '../types';
import { nothingLost, runSession } from '../lib/session';

export const scenario: Scenario = {
  name: 'cold start mid-outage',
  run: () =>
    runSession('cold start mid-outage', { fakeTime: true }, async (s) => {
      await s.cycle();
      s.world.mackerel.setRules([{ prefix: '/api/', action: { kind: 'status', status: 503 } }]);
      for (let i = 0; i < 3; i++) await s.cycle();
      const queued = s.invocations.at(-1)?.summary?.retryQueue ?? 0;
      s.coldStart();
      const cold: number[] = [];
      for (let i = 0; i < 2; i++) cold.push((await s.cycle()).summary?.samples ?? 0);
      s.world.mackerel.setRules([]);
      await s.cycle();
      await s.cycle();
      return {
        durable: true,
        checks: [
          check('the outage filled the queue', queued > 0, `retryQueue ${queued}`),
          check('the cold container collected during the outage', cold.every((n) => n > 0), `samples per cold outage cycle: ${cold.join(', ')}`),
          ...nothingLost(s.world, s.invocations),
        ],
        note: `queue of ${queued} values at the cold start`,
      };
    }),
};
