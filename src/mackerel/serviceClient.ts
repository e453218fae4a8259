import { z } from 'zod';
import { silentLogger, type Logger } from '../log';
import { err, ok, type Result } from '../result';
import { MACKEREL_SERVICE_NAME, SERVICE_METRIC_NAME } from '../service/names';
import { fullJitterDelayMs } from '../util/backoff';
import { createDeadline } from '../util/deadline';
import { sleep } from '../util/sleep';
import { chunk, MAX_METRICS_PER_POST } from './batch';
import { MackerelAuthError, MackerelError, type MackerelFailure } from './errors';

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

// The request helper below follows client.ts (which exports none): same headers, per-attempt deadline,
// full-jitter retries of 5xx/network/timeouts, 401/403 as MackerelAuthError, and the key scrubbed from every
// message. It adds PUT and a slower back-off for 429. dashboardClient.ts uses it too; it belongs in a file of
// its own (src/mackerel/request.ts) once client.ts can share it.

/** Settings of the request helper. Delays and timeouts are in milliseconds. */
export interface ApiRequesterOptions {
  apiKey: string;
  /** e.g. `https://api.mackerelio.com` (MACKEREL_API_BASE). */
  baseUrl: string;
  /** Per attempt, response body included. Default 10000. */
  timeoutMs?: number;
  /** Attempts per call, the first included. Default 4. */
  maxAttempts?: number;
  /** Back-off base for 5xx, network errors and timeouts (full jitter). Default 200. */
  baseDelayMs?: number;
  /** Ceiling of one such delay. Default 5000. */
  maxDelayMs?: number;
  /** Back-off base after a 429 (equal jitter: half fixed, half random). Default 1000. */
  rateLimitBaseDelayMs?: number;
  /** Ceiling of one 429 delay, `Retry-After` included. Default 10000. */
  rateLimitMaxDelayMs?: number;
  logger?: Logger;
}

/** HTTP methods the helper sends. */
export type ApiMethod = 'GET' | 'POST' | 'PUT';

/** Sends one API call with retries; `parse` turns a 2xx body into the result or says why it cannot. */
export interface ApiRequester {
  request<T>(method: ApiMethod, path: string, body: unknown, parse: (text: string) => Result<T, string>, signal?: AbortSignal): Promise<Result<T, MackerelFailure>>;
}

type Outcome = { kind: 'ok'; text: string } | { kind: 'retry' | 'final' | 'auth'; reason: string; status?: number; retryAfterMs?: number };

const USER_AGENT = 'mackerel-ecs-collector';
const MAX_API_MESSAGE_CHARS = 200;
const errorBody = z.object({ error: z.union([z.object({ message: z.string() }), z.string()]) });

/** Creates the request helper over global fetch. */
export function createApiRequester(opts: ApiRequesterOptions): ApiRequester {
  const base = opts.baseUrl.replace(/\/+$/, '');
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const maxAttempts = Math.max(1, opts.maxAttempts ?? 4);
  const logger = opts.logger ?? silentLogger;
  const scrub = (text: string): string => (opts.apiKey === '' ? text : text.split(opts.apiKey).join('***'));
  const keyProblem = /^[\x21-\x7e]+$/.test(opts.apiKey) ? undefined : 'the API key is empty or not a valid HTTP header value';
  const headers = { 'X-Api-Key': opts.apiKey, 'Content-Type': 'application/json', 'User-Agent': USER_AGENT, Accept: 'application/json' };

  async function attempt(method: ApiMethod, url: string, payload: string | undefined, signal?: AbortSignal): Promise<Outcome> {
    const deadline = createDeadline(timeoutMs, signal);
    try {
      const res = await fetch(url, { method, headers, body: payload, signal: deadline.signal });
      const text = await res.text();
      if (res.ok) return { kind: 'ok', text };
      const detail = apiMessage(text) ?? res.statusText;
      const reason = scrub(detail === '' ? `HTTP ${res.status}` : `HTTP ${res.status}: ${detail}`);
      if (res.status === 401 || res.status === 403) return { kind: 'auth', reason, status: res.status };
      if (res.status === 429 || res.status >= 500) return { kind: 'retry', reason, status: res.status, retryAfterMs: retryAfterMs(res.headers.get('retry-after')) };
      return { kind: 'final', reason, status: res.status };
    } catch (e) {
      if (deadline.cause() === 'timeout') return { kind: 'retry', reason: `timed out after ${timeoutMs} ms` };
      if (deadline.cause() === 'aborted') return { kind: 'final', reason: 'aborted' };
      return { kind: 'retry', reason: scrub(`network error: ${describeCause(e)}`) };
    } finally {
      deadline.clear();
    }
  }

  const delayFor = (outcome: Outcome & { kind: 'retry' }, n: number): number => {
    if (outcome.status !== 429) return fullJitterDelayMs(n - 1, opts.baseDelayMs ?? 200, opts.maxDelayMs ?? 5_000);
    const cap = opts.rateLimitMaxDelayMs ?? 10_000;
    if (outcome.retryAfterMs !== undefined) return Math.min(outcome.retryAfterMs, cap);
    const ceiling = Math.min(cap, (opts.rateLimitBaseDelayMs ?? 1_000) * 2 ** (n - 1));
    return Math.floor(ceiling / 2 + Math.random() * (ceiling / 2));
  };

  return {
    async request(method, path, body, parse, signal) {
      const label = `Mackerel ${method} ${path}`;
      if (keyProblem !== undefined) return err(new MackerelAuthError(`${label} not sent: ${keyProblem}`, { path, attempts: 0 }));
      const payload = body === undefined ? undefined : JSON.stringify(body);
      for (let n = 1; ; n++) {
        const outcome = await attempt(method, base + path, payload, signal);
        const context = { status: outcome.kind === 'ok' ? undefined : outcome.status, path, attempts: n };
        const tries = `${n} attempt${n === 1 ? '' : 's'}`;
        if (outcome.kind === 'ok') {
          const parsed = parse(outcome.text);
          return parsed.ok ? parsed : err(new MackerelError(`${label}: ${parsed.error} (${tries})`, context));
        }
        if (outcome.kind === 'auth') {
          return err(new MackerelAuthError(`${label} rejected the API key (wrong key, no Write permission or not on the IP allow-list): ${outcome.reason}`, context));
        }
        if (outcome.kind === 'final' || n >= maxAttempts || signal?.aborted) return err(new MackerelError(`${label} failed: ${outcome.reason} (${tries})`, context));
        const delayMs = delayFor(outcome as Outcome & { kind: 'retry' }, n);
        logger.warn('mackerel request retrying', { method, path, attempt: n, status: outcome.status, reason: outcome.reason, delayMs });
        if (!(await sleep(delayMs, signal))) {
          return err(new MackerelError(`${label} failed: aborted while waiting to retry after ${outcome.reason} (${tries})`, context));
        }
      }
    },
  };
}

/** Parses JSON, or undefined when the text is not JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function apiMessage(text: string): string | undefined {
  const parsed = errorBody.safeParse(parseJson(text));
  if (!parsed.success) return undefined;
  const message = typeof parsed.data.error === 'string' ? parsed.data.error : parsed.data.error.message;
  return message.length > MAX_API_MESSAGE_CHARS ? `${message.slice(0, MAX_API_MESSAGE_CHARS)}…` : message;
}

function retryAfterMs(header: string | null): number | undefined {
  return header !== null && /^\s*\d+\s*$/.test(header) ? Number(header) * 1000 : undefined;
}

/** fetch's "fetch failed" hides the useful part ("connect ECONNREFUSED …") in its cause chain; walked by shape. */
function describeCause(e: unknown): string {
  let message = String(e);
  let cur: unknown = e;
  for (let depth = 0; typeof cur === 'object' && cur !== null && depth < 5; depth++) {
    const { message: m, cause } = cur as { message?: unknown; cause?: unknown };
    if (typeof m === 'string' && m !== '') message = m;
    cur = cause;
  }
  return message;
}
