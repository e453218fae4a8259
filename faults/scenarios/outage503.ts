/** Mackerel answers 503 to everything for 30 cycles, then recovers: a warm container loses nothing. */
import { outageScenario, statusOutage } from '../lib/outage';

export const scenario = outageScenario('503 outage, 30 cycles', statusOutage(503), { cycles: 30, quickCycles: 4 });
