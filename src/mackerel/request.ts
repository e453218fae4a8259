/**
 * The one Mackerel API request loop every client uses (tsdb, hosts, graph-defs, host metadata, service
 * metrics, dashboards): a per-attempt deadline, retries of 429/5xx/network errors/timeouts with back-off,
 * 401/403 as MackerelAuthError (critical), other 4xx final with the API's own error text, and the API key
 * scrubbed from every message and log line. Clients differ only in the knobs of {@link RequestPolicy}.
 */
import { z } from 'zod';
import { redact, registerSecret, silentLogger, type Logger } from '../log';
import { err, type Result } from '../result';
import { fullJitterDelayMs } from '../util/backoff';
import { createDeadline } from '../util/deadline';
import { sleep } from '../util/sleep';
import { MackerelAuthError, MackerelError, type MackerelFailure } from './errors';

/** Settings every Mackerel client takes. Delays and timeouts are in milliseconds. */
export interface MackerelRequestOptions {
  apiKey: string;
  /** e.g. `https://api.mackerelio.com` (MACKEREL_API_BASE). */
  baseUrl: string;
  /** Per attempt, response body included. Default 10000. */
  timeoutMs?: number;
  /** Attempts per call, the first included. Default 4. */
  maxAttempts?: number;
  /** Back-off base (full jitter). Default 200. */
  baseDelayMs?: number;
  /** Ceiling of one back-off delay, `Retry-After` included where the client honours it. Default 5000. */
  maxDelayMs?: number;
  logger?: Logger;
}

/** HTTP methods the clients send. */
export type ApiMethod = 'GET' | 'POST' | 'PUT';

/** A failed attempt that will be retried: its status (none for network errors and timeouts) and `Retry-After`. */
export interface RetryableFailure {
  readonly status?: number;
  readonly retryAfterMs?: number;
}

/** The resolved back-off settings of a client, handed to {@link RequestPolicy.retryDelayMs}. */
export interface Backoff {
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/** What differs between clients. Every knob is optional. */
export interface RequestPolicy {
  /**
   * Delay before retry `retry` (1 for the first retry). Default {@link retryAfterOrFullJitterMs}: `Retry-After`
   * capped at maxDelayMs when sent, else full jitter.
   */
  retryDelayMs?: (failure: RetryableFailure, retry: number, backoff: Backoff) => number;
  /** The text after "network error: " when fetch rejects. Default the innermost cause's message. */
  describeNetworkError?: (e: unknown) => string;
}

/** One API call. */
export interface ApiCall<T> {
  readonly method: ApiMethod;
  /** Without the query string: it names the call in messages, logs and MackerelErrorContext.path. */
  readonly path: string;
  /** Appended to the path when sending, e.g. `?customIdentifier=…`. */
  readonly query?: string;
  /** Sent as JSON; undefined sends no body. */
  readonly body?: unknown;
  /** Names the call in messages. Default `Mackerel <method> <path>`. */
  readonly label?: string;
  /** Why the call must not be sent (checked after the key): a MackerelError "<label> not sent: <refuse>". */
  readonly refuse?: string;
  /** Turns a 2xx body into the result, or says why it cannot. */
  readonly parse: (text: string, status: number) => Result<T, string>;
}

/** Sends one call with retries. Failures are data; a MackerelAuthError should stop the cycle. */
export type SendApiCall = <T>(call: ApiCall<T>, signal?: AbortSignal) => Promise<Result<T, MackerelFailure>>;

type Outcome =
  | { kind: 'ok'; status: number; text: string }
  | { kind: 'retry' | 'final' | 'auth'; reason: string; status?: number; retryAfterMs?: number };

const USER_AGENT = 'mackerel-ecs-collector';
const MAX_API_MESSAGE_CHARS = 200;
/** mackerel-client-go reads `{"error":{"message"}}`; a bare `{"error":"…"}` is accepted too (reference §1). */
const errorBody = z.object({ error: z.union([z.object({ message: z.string() }), z.string()]) });

/** Default back-off: `Retry-After` (when sent) capped at maxDelayMs, else full jitter. */
function retryAfterOrFullJitterMs(failure: RetryableFailure, retry: number, backoff: Backoff): number {
  if (failure.retryAfterMs !== undefined) return Math.min(failure.retryAfterMs, backoff.maxDelayMs);
  return fullJitterDelayMs(retry - 1, backoff.baseDelayMs, backoff.maxDelayMs);
}

/** Creates the request loop over global fetch (a handful of requests per cycle, keep-alive by undici). */
export function createApiSender(opts: MackerelRequestOptions, policy: RequestPolicy = {}): SendApiCall {
  const base = opts.baseUrl.replace(/\/+$/, '');
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const maxAttempts = Math.max(1, opts.maxAttempts ?? 4);
  const backoff: Backoff = { baseDelayMs: opts.baseDelayMs ?? 200, maxDelayMs: opts.maxDelayMs ?? 5_000 };
  const retryDelayMs = policy.retryDelayMs ?? retryAfterOrFullJitterMs;
  const describeNetworkError = policy.describeNetworkError ?? rootCause;
  const logger = opts.logger ?? silentLogger;
  // Every text that could reach a message or a log passes through here: an API error could echo the key.
  // The log's rule (src/log.ts): a short key is replaced only as a whole word, so ordinary words survive.
  registerSecret(opts.apiKey);
  const scrub = (text: string): string => redact(text);
  // fetch would reject such a key with an error quoting it; refuse it here, without the value.
  const keyProblem = /^[\x21-\x7e]+$/.test(opts.apiKey) ? undefined : 'the API key is empty or not a valid HTTP header value';
  const headers = { 'X-Api-Key': opts.apiKey, 'Content-Type': 'application/json', 'User-Agent': USER_AGENT, Accept: 'application/json' };

  async function attempt(method: ApiMethod, url: string, payload: string | undefined, signal?: AbortSignal): Promise<Outcome> {
    const deadline = createDeadline(timeoutMs, signal);
    try {
      const res = await fetch(url, { method, headers, body: payload, signal: deadline.signal });
      const text = await res.text();
      if (res.ok) return { kind: 'ok', status: res.status, text };
      const detail = apiMessage(text) ?? res.statusText;
      const reason = scrub(detail === '' ? `HTTP ${res.status}` : `HTTP ${res.status}: ${detail}`);
      if (res.status === 401 || res.status === 403) return { kind: 'auth', reason, status: res.status };
      if (res.status === 429 || res.status >= 500) return { kind: 'retry', reason, status: res.status, retryAfterMs: retryAfterMs(res.headers.get('retry-after')) };
      return { kind: 'final', reason, status: res.status };
    } catch (e) {
      if (deadline.cause() === 'timeout') return { kind: 'retry', reason: `timed out after ${timeoutMs} ms` };
      if (deadline.cause() === 'aborted') return { kind: 'final', reason: 'aborted' };
      return { kind: 'retry', reason: scrub(`network error: ${describeNetworkError(e)}`) };
    } finally {
      deadline.clear();
    }
  }

  return async function send<T>(call: ApiCall<T>, signal?: AbortSignal): Promise<Result<T, MackerelFailure>> {
    const { method, path } = call;
    const label = call.label ?? `Mackerel ${method} ${path}`;
    if (keyProblem !== undefined) return err(new MackerelAuthError(`${label} not sent: ${keyProblem}`, { path, attempts: 0 }));
    if (call.refuse !== undefined) return err(new MackerelError(`${label} not sent: ${call.refuse}`, { path, attempts: 0 }));
    const payload = call.body === undefined ? undefined : JSON.stringify(call.body);
    for (let n = 1; ; n++) {
      const outcome = await attempt(method, base + path + (call.query ?? ''), payload, signal);
      const context = { status: outcome.kind === 'ok' ? undefined : outcome.status, path, attempts: n };
      const tries = attemptsText(n);
      if (outcome.kind === 'ok') {
        const parsed = call.parse(outcome.text, outcome.status);
        // Scrubbed too: a parser may quote the answer, and an answer may echo the key.
        return parsed.ok ? parsed : err(new MackerelError(scrub(`${label}: ${parsed.error} (${tries})`), { ...context, status: outcome.status }));
      }
      if (outcome.kind === 'auth') {
        return err(new MackerelAuthError(`${label} rejected the API key (wrong key, no Write permission or not on the IP allow-list): ${outcome.reason}`, context));
      }
      if (outcome.kind === 'final' || n >= maxAttempts || signal?.aborted) return err(new MackerelError(`${label} failed: ${outcome.reason} (${tries})`, context));
      const delayMs = retryDelayMs(outcome, n, backoff);
      logger.warn('mackerel request retrying', { method, path, attempt: n, status: outcome.status, reason: outcome.reason, delayMs });
      if (!(await sleep(delayMs, signal))) {
        return err(new MackerelError(`${label} failed: aborted while waiting to retry after ${outcome.reason} (${tries})`, context));
      }
    }
  };
}

/** Settings of {@link createApiRequester}: a client whose 429s get a slower back-off of their own. */
export interface ApiRequesterOptions extends MackerelRequestOptions {
  /** Back-off base after a 429 (equal jitter: half fixed, half random). Default 1000. */
  rateLimitBaseDelayMs?: number;
  /** Ceiling of one 429 delay, `Retry-After` included. Default 10000. Other failures use baseDelayMs/maxDelayMs. */
  rateLimitMaxDelayMs?: number;
}

/** Sends one API call with retries; `parse` turns a 2xx body into the result or says why it cannot. */
export interface ApiRequester {
  request<T>(method: ApiMethod, path: string, body: unknown, parse: (text: string) => Result<T, string>, signal?: AbortSignal): Promise<Result<T, MackerelFailure>>;
}

/**
 * The requester of service metrics and dashboards: a 429 waits `Retry-After` (capped) or an equal-jitter
 * delay from its own base, since a per-minute cap needs seconds, not milliseconds; 5xx, network errors and
 * timeouts use full jitter and ignore `Retry-After`.
 */
export function createApiRequester(opts: ApiRequesterOptions): ApiRequester {
  const send = createApiSender(opts, {
    retryDelayMs: (failure, retry, backoff) => {
      if (failure.status !== 429) return fullJitterDelayMs(retry - 1, backoff.baseDelayMs, backoff.maxDelayMs);
      const cap = opts.rateLimitMaxDelayMs ?? 10_000;
      if (failure.retryAfterMs !== undefined) return Math.min(failure.retryAfterMs, cap);
      const ceiling = Math.min(cap, (opts.rateLimitBaseDelayMs ?? 1_000) * 2 ** (retry - 1));
      return Math.floor(ceiling / 2 + Math.random() * (ceiling / 2));
    },
  });
  return { request: (method, path, body, parse, signal) => send({ method, path, body, parse }, signal) };
}

/** "1 attempt", "3 attempts": the suffix of every failure message. */
export function attemptsText(n: number): string {
  return `${n} attempt${n === 1 ? '' : 's'}`;
}

/** Parses JSON, or undefined when the text is not JSON. */
export function parseJson(text: string): unknown {
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
  return header !== null && /^\s*\d+\s*$/.test(header) ? Number(header) * 1000 : undefined;
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
