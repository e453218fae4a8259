import { silentLogger } from '../log';
import { err, ok, type Result } from '../result';
import { MACKEREL_SERVICE_NAME, SERVICE_METRIC_NAME } from '../service/names';
import { chunk, MAX_METRICS_PER_POST } from './batch';
import { MackerelError, type MackerelFailure } from './errors';
import { createApiRequester, type ApiRequesterOptions } from './request';

// The request helper moved to request.ts; re-exported for code that imports it from here.
export { createApiRequester, parseJson, type ApiMethod, type ApiRequester, type ApiRequesterOptions } from './request';

/** A value as `POST /api/v0/services/{serviceName}/tsdb` takes it: no `hostId`, no `custom.` (reference §3). */
export interface ServiceMetricValue {
  readonly name: string;
  /** Epoch seconds. */
  readonly time: number;
  readonly value: number;
}

/** Settings of the service metrics client (see {@link ApiRequesterOptions} for retries and timeouts). */
export type ServiceMetricsClientOptions = ApiRequesterOptions;

/** Posts service metrics. Failures are data; a MackerelAuthError (401/403) is critical. */
export interface ServiceMetricsClient {
  /**
   * Posts `values` to one Mackerel service in batches of at most {@link MAX_METRICS_PER_POST}, in order,
   * stopping at the first batch that fails (the next would meet the same cap or the same missing service).
   * Values with an invalid name or a non-finite value are left out and logged, never sent.
   */
  postServiceMetrics(service: string, values: readonly ServiceMetricValue[], signal?: AbortSignal): Promise<Result<void, MackerelFailure>>;
}

/**
 * Service metric posts have the one documented 429: a per-minute request cap (API docs, service-metrics:
 * "setting the posting frequency to a 1 minute interval, or posting multiple metrics at once"). Waiting a
 * few seconds, not milliseconds, is what can help; the caller's signal bounds the total wait.
 */
const SERVICE_RATE_LIMIT_BASE_DELAY_MS = 5_000;
const SERVICE_RATE_LIMIT_MAX_DELAY_MS = 20_000;
const SERVICE_MAX_ATTEMPTS = 3;

/** Creates the client for `POST /api/v0/services/{service}/tsdb`. */
export function createServiceMetricsClient(opts: ServiceMetricsClientOptions): ServiceMetricsClient {
  const logger = opts.logger ?? silentLogger;
  const api = createApiRequester({
    maxAttempts: SERVICE_MAX_ATTEMPTS,
    rateLimitBaseDelayMs: SERVICE_RATE_LIMIT_BASE_DELAY_MS,
    rateLimitMaxDelayMs: SERVICE_RATE_LIMIT_MAX_DELAY_MS,
    ...opts,
  });
  return {
    async postServiceMetrics(service, values, signal) {
      const path = `/api/v0/services/${encodeURIComponent(service)}/tsdb`;
      if (!MACKEREL_SERVICE_NAME.test(service)) {
        const shown = JSON.stringify(service.slice(0, 80));
        return err(new MackerelError(`invalid Mackerel service name ${shown} (2-63 of A-Z a-z 0-9 _ -; fix MACKEREL_SERVICE)`, { path, attempts: 0 }));
      }
      const valid = values.filter((v) => SERVICE_METRIC_NAME.test(v.name) && Number.isInteger(v.time) && Number.isFinite(v.value));
      if (valid.length < values.length) logger.warn('service metric values left out', { service, count: values.length - valid.length });
      let sent = 0;
      for (const batch of chunk(valid, MAX_METRICS_PER_POST)) {
        const posted = await api.request('POST', path, batch, () => ok(undefined), signal);
        if (!posted.ok) {
          const e = posted.error;
          if (e.status === 404) {
            const context = { status: 404, path, attempts: e.attempts };
            return err(new MackerelError(`Mackerel service ${service} does not exist (create it or fix MACKEREL_SERVICE)`, context, { cause: e }));
          }
          if (sent > 0) logger.warn('service metrics partly posted', { service, sent, total: valid.length });
          return posted;
        }
        sent += batch.length;
      }
      return ok(undefined);
    },
  };
}
