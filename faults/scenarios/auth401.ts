/**
 * Issue 8 (3): three 503 cycles fill the retry queue, then one cycle gets 401 (a key rotated or an IP
 * allow-list mis-set), then Mackerel is healthy again. The 401 must keep the queue (nothing lost) and still
 * log the cycle's summary.
 */
import { check, type Scenario } from '../types';
import { errorText, nothingLost, runSession } from '../lib/session';

export const scenario: Scenario = {
  name: '401 in the middle of an outage',
  run: () =>
    runSession('401 mid-outage (queue kept)', { fakeTime: true }, async (s) => {
      await s.cycle();
      s.world.mackerel.setRules([{ prefix: '/api/', action: { kind: 'status', status: 503 } }]);
      for (let i = 0; i < 3; i++) await s.cycle();
      const queued = s.invocations.at(-1)?.summary?.retryQueue ?? 0;
      s.world.mackerel.setRules([{ prefix: '/api/', action: { kind: 'status', status: 401 } }]);
      const auth = await s.cycle();
      s.world.mackerel.setRules([]);
      await s.cycle();
      await s.cycle();
      return {
        checks: [
          check('the outage filled the queue', queued > 0, `retryQueue ${queued}`),
          check('the 401 cycle fails the invocation', auth.error !== undefined, auth.error ? errorText(auth.error) : 'no error'),
          check('the 401 cycle logged its summary', auth.logged !== undefined),
          ...nothingLost(s.world, s.invocations),
        ],
      };
    }),
};
