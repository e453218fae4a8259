/**
 * Mackerel accepts connections and never answers for 3 cycles: the cycle deadline (8 s remaining in the
 * Lambda context, so it fires after 5 s) must end each cycle with its summary and keep the values queued.
 */
import { outageScenario } from '../lib/outage';

export const scenario = outageScenario(
  'Mackerel hangs, 3 cycles',
  { apply: (w) => w.mackerel.setRules([{ prefix: '/api/', action: { kind: 'hang' } }]), heal: (w) => w.mackerel.setRules([]) },
  { cycles: 3, quickCycles: 1, remainingMs: 8000 },
);
