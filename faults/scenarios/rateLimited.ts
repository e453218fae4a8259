/** 429 on the first three tsdb posts of one cycle, with `Retry-After: 1` and without: retried, nothing lost. */
import { outageScenario } from '../lib/outage';

const tsdb429 = (headers?: Record<string, string>) => ({
  apply: (w: import('../lib/world').World) =>
    w.mackerel.setRules([{ prefix: '/api/v0/tsdb', action: { kind: 'status', status: 429, ...(headers ? { headers } : {}) }, times: 3 }]),
  heal: (w: import('../lib/world').World) => w.mackerel.setRules([]),
});

export const withRetryAfter = outageScenario('429 with Retry-After: 1', tsdb429({ 'retry-after': '1' }), { cycles: 1, quickCycles: 1 });
export const withoutRetryAfter = outageScenario('429 without Retry-After', tsdb429(), { cycles: 1, quickCycles: 1 });
export const scenarios = [withRetryAfter, withoutRetryAfter];
