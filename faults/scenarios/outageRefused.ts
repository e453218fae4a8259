/** Connections to Mackerel are refused for 30 cycles (the proxy stops listening), then accepted again. */
import { outageScenario } from '../lib/outage';

export const scenario = outageScenario(
  'connection refused, 30 cycles',
  { apply: (w) => w.mackerel.refuse(), heal: (w) => w.mackerel.accept() },
  { cycles: 30, quickCycles: 4 },
);
