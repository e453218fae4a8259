/**
 * A Mackerel outage as a warm container rides it out: one healthy cycle (host ids and graph definitions
 * cached), the fault for N cycles a fake minute apart, then recovery. Nothing may be lost or stored twice,
 * every cycle logs its summary and the queue is empty at the end.
 */
import { check, type Scenario } from '../types';
import { nothingLost, runSession, summariesLogged } from './session';
import type { World } from './world';

/** How the fault starts and ends. */
export interface OutageFault {
  apply(world: World): void | Promise<void>;
  heal(world: World): void | Promise<void>;
}

/** Options of {@link outageScenario}. */
export interface OutageOptions {
  /** Outage cycles (the 30), and in `npm test` (`quick`). */
  readonly cycles: number;
  readonly quickCycles: number;
  /** What the Lambda context reports as remaining time (the deadline fires 3 s before). */
  readonly remainingMs?: number;
}

/** Builds the scenario. */
export function outageScenario(name: string, fault: OutageFault, o: OutageOptions): Scenario {
  return {
    name,
    run: (opts = {}) =>
      runSession(name, { fakeTime: true }, async (s) => {
        const first = await s.cycle(o.remainingMs);
        await fault.apply(s.world);
        const n = opts.quick ? o.quickCycles : o.cycles;
        for (let i = 0; i < n; i++) await s.cycle(o.remainingMs);
        await fault.heal(s.world);
        await s.cycle(o.remainingMs);
        const last = await s.cycle(o.remainingMs);
        return {
          checks: [
            check('the healthy first cycle posted', (first.summary?.posted ?? 0) > 0, `posted ${first.summary?.posted ?? 0}`),
            ...nothingLost(s.world, s.invocations),
            summariesLogged(s.invocations),
            check('the retry queue is empty after recovery', last.summary?.retryQueue === 0, `retryQueue ${last.summary?.retryQueue ?? '?'}`),
          ],
          note: `${n} outage cycles`,
        };
      }),
  };
}

/** Every `/api/` request answered with `status` (and `headers`) while applied. */
export function statusOutage(status: number, headers?: Record<string, string>): OutageFault {
  return {
    apply: (w) => w.mackerel.setRules([{ prefix: '/api/', action: { kind: 'status', status, ...(headers ? { headers } : {}) } }]),
    heal: (w) => w.mackerel.setRules([]),
  };
}
