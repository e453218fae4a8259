/** Targets that attack the scraper: each must fail alone, with its reason, in bounded time and memory. */
import { endless, gzipBomb, promBody, redirectToImds, serve, slowloris } from '../../sim/hostileTargets';
import { hostileTargetScenario } from '../lib/hostile';

export const scenarios = [
  hostileTargetScenario('slowloris target', { behaviour: () => slowloris(200), reason: /timed out/ }),
  hostileTargetScenario('endless body', { behaviour: () => endless, reason: /larger than/ }),
  hostileTargetScenario('huge body (5 MiB > MAX_BODY_BYTES)', { behaviour: () => serve(promBody(5 * 1024 * 1024)), reason: /larger than/ }),
  hostileTargetScenario('redirect to 169.254.169.254', { behaviour: () => redirectToImds, reason: /HTTP 302/ }),
  hostileTargetScenario('gzip bomb', { behaviour: () => gzipBomb(), reason: /parse|gzip|encoding|invalid|larger/i }),
];
