/**
 * Issue 8 (6): tsdb answers 200 with a non-JSON body (a proxy's error page) for 3 cycles without storing
 * anything: those values must not count as posted; they are re-sent after recovery (nothing lost).
 */
import { outageScenario } from '../lib/outage';

export const scenario = outageScenario(
  '200 with a non-JSON body',
  {
    apply: (w) => w.mackerel.setRules([{ prefix: '/api/v0/tsdb', action: { kind: 'status', status: 200, headers: { 'content-type': 'text/html' }, body: '<html>Service Unavailable</html>' } }]),
    heal: (w) => w.mackerel.setRules([]),
  },
  { cycles: 3, quickCycles: 2 },
);
