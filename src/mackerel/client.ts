import { z } from 'zod';
import { silentLogger, type Logger } from '../log';
import { err, ok, type Result } from '../result';
import type { GraphDef, MetricValue } from '../types';
import { fullJitterDelayMs } from '../util/backoff';
import { createDeadline } from '../util/deadline';
import { sleep } from '../util/sleep';
import { MackerelAuthError, MackerelError, type MackerelFailure } from './errors';

/** Settings of the Mackerel API client. Delays and timeouts are in milliseconds. */
export interface MackerelClientOptions {
  apiKey: string;
  /** e.g. `https://api.mackerelio.com` (MACKEREL_API_BASE). */
  baseUrl: string;
  /** Per attempt, response body included. Default 10000. */
  timeoutMs?: number;
  /** Attempts per call, the first included. Default 4. */
  maxAttempts?: number;
  /** Back-off base (full jitter). Default 200. */
  baseDelayMs?: number;
  /** Ceiling of one back-off delay, `Retry-After` included. Default 5000. */
  maxDelayMs?: number;
  logger?: Logger;
}

/**
 * The Mackerel calls the collector makes. Failures are data; a `MackerelAuthError` (401/403) is a
 * CriticalError and should stop the cycle.
 */
export interface MackerelPort {
  /** The id of the non-retired host with this custom identifier, or undefined when there is none. */
  findHostIdByCustomIdentifier(customIdentifier: string, signal?: AbortSignal): Promise<Result<string | undefined, MackerelFailure>>;
  /** One `POST /api/v0/tsdb`; batching is the caller's job (see batch.ts). */
  postMetrics(values: readonly MetricValue[], signal?: AbortSignal): Promise<Result<void, MackerelFailure>>;
  /** One `POST /api/v0/graph-defs/create`. */
  postGraphDefs(defs: readonly GraphDef[], signal?: AbortSignal): Promise<Result<void, MackerelFailure>>;
}

const USER_AGENT = 'mackerel-ecs-collector';
/** `GET /api/v0/hosts` returns only working+standby hosts unless told otherwise (reference §4). */
const HOST_STATUSES = ['working', 'standby', 'maintenance', 'poweroff'] as const;
const MAX_API_MESSAGE_CHARS = 200;

const hostsResponse = z.object({
  hosts: z.array(z.object({ id: z.string().min(1), status: z.string().optional(), isRetired: z.boolean().optional() })),
});
/** mackerel-client-go reads `{"error":{"message"}}`; a bare `{"error":"…"}` is accepted too (reference §1). */
const errorBody = z.object({ error: z.union([z.object({ message: z.string() }), z.string()]) });

type AttemptOutcome =
  | { kind: 'ok'; text: string }
  | { kind: 'retry' | 'final' | 'auth'; reason: string; status?: number; retryAfterMs?: number };

/** Creates a Mackerel API v0 client over global fetch (a handful of requests per cycle, keep-alive by undici). */
export function createMackerelClient(opts: MackerelClientOptions): MackerelPort {
  const base = opts.baseUrl.replace(/\/+$/, '');
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const maxAttempts = Math.max(1, opts.maxAttempts ?? 4);
  const baseDelayMs = opts.baseDelayMs ?? 200;
  const maxDelayMs = opts.maxDelayMs ?? 5_000;
  const logger = opts.logger ?? silentLogger;
  // Every text that could reach a message or a log passes through here: an API error could echo the key.
  const scrub = (text: string): string => (opts.apiKey === '' ? text : text.split(opts.apiKey).join('***'));
  // fetch would reject such a key with an error quoting it; refuse it here, without the value.
  const keyProblem = /^[\x21-\x7e]+$/.test(opts.apiKey) ? undefined : 'the API key is empty or not a valid HTTP header value';
  const headers = { 'X-Api-Key': opts.apiKey, 'Content-Type': 'application/json', 'User-Agent': USER_AGENT, Accept: 'application/json' };

  async function attemptOnce(method: string, url: string, payload: string | undefined, signal?: AbortSignal): Promise<AttemptOutcome> {
    const deadline = createDeadline(timeoutMs, signal);
    try {
      const res = await fetch(url, { method, headers, body: payload, signal: deadline.signal });
      const text = await res.text();
      if (res.ok) return { kind: 'ok', text };
      const detail = apiMessage(text) ?? res.statusText;
      const reason = scrub(detail === '' ? `HTTP ${res.status}` : `HTTP ${res.status}: ${detail}`);
      if (res.status === 401 || res.status === 403) return { kind: 'auth', reason, status: res.status };
      if (res.status === 429 || res.status >= 500) {
        return { kind: 'retry', reason, status: res.status, retryAfterMs: retryAfterMs(res.headers.get('retry-after')) };
      }
      return { kind: 'final', reason, status: res.status };
    } catch (e) {
      if (deadline.cause() === 'timeout') return { kind: 'retry', reason: `timed out after ${timeoutMs} ms` };
      if (deadline.cause() === 'aborted') return { kind: 'final', reason: 'aborted' };
      return { kind: 'retry', reason: scrub(`network error: ${rootCause(e)}`) };
    } finally {
      deadline.clear();
    }
  }

  async function call<T>(
    method: 'GET' | 'POST',
    path: string,
    query: string,
    body: unknown,
    parse: (text: string) => Result<T, string>,
    signal?: AbortSignal,
  ): Promise<Result<T, MackerelFailure>> {
    const label = `Mackerel ${method} ${path}`;
    if (keyProblem !== undefined) return err(new MackerelAuthError(`${label} not sent: ${keyProblem}`, { path, attempts: 0 }));
    const payload = body === undefined ? undefined : JSON.stringify(body);
    for (let attempt = 1; ; attempt++) {
      const outcome = await attemptOnce(method, base + path + query, payload, signal);
      const context = { status: outcome.kind === 'ok' ? undefined : outcome.status, path, attempts: attempt };
      const tries = `${attempt} attempt${attempt === 1 ? '' : 's'}`;
      if (outcome.kind === 'ok') {
        const parsed = parse(outcome.text);
        return parsed.ok ? parsed : err(new MackerelError(`${label}: ${parsed.error} (${tries})`, context));
      }
      if (outcome.kind === 'auth') {
        return err(new MackerelAuthError(`${label} rejected the API key (wrong key, no Write permission or not on the IP allow-list): ${outcome.reason}`, context));
      }
      if (outcome.kind === 'final' || attempt >= maxAttempts || signal?.aborted) {
        return err(new MackerelError(`${label} failed: ${outcome.reason} (${tries})`, context));
      }
      const delayMs =
        outcome.retryAfterMs !== undefined ? Math.min(outcome.retryAfterMs, maxDelayMs) : fullJitterDelayMs(attempt - 1, baseDelayMs, maxDelayMs);
      logger.warn('mackerel request retrying', { method, path, attempt, status: outcome.status, reason: outcome.reason, delayMs });
      if (!(await sleep(delayMs, signal))) {
        return err(new MackerelError(`${label} failed: aborted while waiting to retry after ${outcome.reason} (${tries})`, context));
      }
    }
  }

  const ignoreBody = (): Result<void, string> => ok(undefined);

  return {
    findHostIdByCustomIdentifier: (customIdentifier, signal) => {
      const query = `?customIdentifier=${encodeURIComponent(customIdentifier)}${HOST_STATUSES.map((s) => `&status=${s}`).join('')}`;
      return call('GET', '/api/v0/hosts', query, undefined, pickHostId, signal);
    },
    postMetrics: async (values, signal) => (values.length === 0 ? ok(undefined) : call('POST', '/api/v0/tsdb', '', values, ignoreBody, signal)),
    postGraphDefs: async (defs, signal) =>
      defs.length === 0 ? ok(undefined) : call('POST', '/api/v0/graph-defs/create', '', defs, ignoreBody, signal),
  };
}

/** The `{"hosts":[…]}` answer's best live host: retired hosts never, then by status, working first. */
function pickHostId(text: string): Result<string | undefined, string> {
  const parsed = hostsResponse.safeParse(parseJson(text));
  if (!parsed.success) return err('unexpected response: expected {"hosts":[{"id":…}]}');
  const rank = (status: string | undefined): number => {
    const i = HOST_STATUSES.indexOf(status as (typeof HOST_STATUSES)[number]);
    return i === -1 ? HOST_STATUSES.length : i;
  };
  const live = parsed.data.hosts.filter((h) => h.isRetired !== true).sort((a, b) => rank(a.status) - rank(b.status));
  return ok(live[0]?.id);
}

/**
 * fetch rejects with a bare "fetch failed" whose `cause` chain holds the useful part ("connect ECONNREFUSED
 * 127.0.0.1:443"). Walked by shape, not `instanceof Error`: undici's errors may come from another realm.
 */
function rootCause(e: unknown): string {
  let message = String(e);
  let cur: unknown = e;
  for (let depth = 0; typeof cur === 'object' && cur !== null && depth < 5; depth++) {
    const { message: m, cause } = cur as { message?: unknown; cause?: unknown };
    if (typeof m === 'string' && m !== '') message = m;
    cur = cause;
  }
  return message;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The API's own error text, shortened; undefined when the body is not Mackerel's error JSON. */
function apiMessage(text: string): string | undefined {
  const parsed = errorBody.safeParse(parseJson(text));
  if (!parsed.success) return undefined;
  const message = typeof parsed.data.error === 'string' ? parsed.data.error : parsed.data.error.message;
  return message.length > MAX_API_MESSAGE_CHARS ? `${message.slice(0, MAX_API_MESSAGE_CHARS)}…` : message;
}

/** `Retry-After` in delta-seconds (no general one is documented by Mackerel; honoured when sent). */
function retryAfterMs(header: string | null): number | undefined {
  if (header === null || !/^\s*\d+\s*$/.test(header)) return undefined;
  return Number(header) * 1000;
}
