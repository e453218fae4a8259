/** Mackerel answers 500 for 30 cycles, then recovers. */
import { outageScenario, statusOutage } from '../lib/outage';

export const scenario = outageScenario('500 outage, 30 cycles', statusOutage(500), { cycles: 30, quickCycles: 4 });
