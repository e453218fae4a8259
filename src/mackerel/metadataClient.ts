/**
 * Host metadata (reference mackerel-api.md §6): `GET|PUT /api/v0/hosts/{hostId}/metadata/{namespace}`, where
 * the task inventory lives. Same promises as client.ts (retries with full jitter on 429/5xx/network/timeout,
 * 401/403 as MackerelAuthError, the key never in a message); its request loop is not exported, so a small one
 * is kept here.
 */
import { describeError } from '../errors';
import { silentLogger, type Logger } from '../log';
import { err, ok, type Result } from '../result';
import { fullJitterDelayMs } from '../util/backoff';
import { createDeadline } from '../util/deadline';
import { sleep } from '../util/sleep';
import { MackerelAuthError, MackerelError, type MackerelFailure } from './errors';

/** Settings of the metadata client; as MackerelClientOptions. Delays and timeouts are in milliseconds. */
export interface MetadataClientOptions {
  apiKey: string;
  baseUrl: string;
  /** Per attempt, response body included. Default 10000. */
  timeoutMs?: number;
  /** Attempts per call, the first included. Default 4. */
  maxAttempts?: number;
  /** Back-off base (full jitter). Default 200. */
  baseDelayMs?: number;
  /** Ceiling of one back-off delay. Default 5000. */
  maxDelayMs?: number;
  logger?: Logger;
}

/** Reads and writes one namespace of a host's metadata. */
export interface MetadataPort {
  /** The stored JSON value, or undefined when the namespace holds nothing (404). */
  getHostMetadata(hostId: string, namespace: string, signal?: AbortSignal): Promise<Result<unknown, MackerelFailure>>;
  /** Replaces the value (≤100 KB; over it, a MackerelError saying so, not retried). */
  putHostMetadata(hostId: string, namespace: string, value: unknown, signal?: AbortSignal): Promise<Result<void, MackerelFailure>>;
}

/** Namespace rule of the API: `[-a-zA-Z0-9_]+`, and names starting with `mackerel` are reserved. */
const NAMESPACE = /^[-a-zA-Z0-9_]+$/;
const MAX_REASON_CHARS = 200;

type Attempt = { kind: 'ok'; status: number; text: string } | { kind: 'retry' | 'final'; status?: number; reason: string };

/** Creates the client over global fetch. */
export function createMetadataClient(opts: MetadataClientOptions): MetadataPort {
  const base = opts.baseUrl.replace(/\/+$/, '');
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const maxAttempts = Math.max(1, opts.maxAttempts ?? 4);
  const baseDelayMs = opts.baseDelayMs ?? 200;
  const maxDelayMs = opts.maxDelayMs ?? 5_000;
  const logger = opts.logger ?? silentLogger;
  const scrub = (text: string): string => (opts.apiKey === '' ? text : text.split(opts.apiKey).join('***'));
  const keyOk = /^[\x21-\x7e]+$/.test(opts.apiKey);
  const headers = { 'X-Api-Key': opts.apiKey, 'Content-Type': 'application/json', 'User-Agent': 'mackerel-ecs-collector', Accept: 'application/json' };

  async function attemptOnce(method: string, url: string, body: string | undefined, signal?: AbortSignal): Promise<Attempt> {
    const deadline = createDeadline(timeoutMs, signal);
    try {
      const res = await fetch(url, { method, headers, body, signal: deadline.signal });
      const text = await res.text();
      if (res.ok || (method === 'GET' && res.status === 404)) return { kind: 'ok', status: res.status, text };
      const reason = scrub(`HTTP ${res.status}: ${errorText(text) ?? res.statusText}`);
      return { kind: res.status === 429 || res.status >= 500 ? 'retry' : 'final', status: res.status, reason };
    } catch (e) {
      if (deadline.cause() === 'timeout') return { kind: 'retry', reason: `timed out after ${timeoutMs} ms` };
      if (deadline.cause() === 'aborted') return { kind: 'final', reason: 'aborted' };
      return { kind: 'retry', reason: scrub(`network error: ${describeError(e)}`) };
    } finally {
      deadline.clear();
    }
  }

  async function call(method: 'GET' | 'PUT', hostId: string, namespace: string, value: unknown, signal?: AbortSignal): Promise<Result<Attempt & { kind: 'ok' }, MackerelFailure>> {
    const path = `/api/v0/hosts/${encodeURIComponent(hostId)}/metadata/${encodeURIComponent(namespace)}`;
    const label = `Mackerel ${method} host metadata ${namespace}`;
    if (!keyOk) return err(new MackerelAuthError(`${label} not sent: the API key is empty or not a valid HTTP header value`, { path, attempts: 0 }));
    if (!NAMESPACE.test(namespace) || namespace.startsWith('mackerel')) {
      return err(new MackerelError(`${label} not sent: a namespace is [-a-zA-Z0-9_]+ and may not start with "mackerel"`, { path, attempts: 0 }));
    }
    const body = method === 'PUT' ? JSON.stringify(value) : undefined;
    for (let attempt = 1; ; attempt++) {
      const outcome = await attemptOnce(method, base + path, body, signal);
      if (outcome.kind === 'ok') return ok(outcome);
      const context = { status: outcome.status, path, attempts: attempt };
      const tries = `(${attempt} attempt${attempt === 1 ? '' : 's'})`;
      if (outcome.status === 401 || outcome.status === 403) {
        return err(new MackerelAuthError(`${label} rejected the API key (wrong key, no Write permission or not on the IP allow-list): ${outcome.reason}`, context));
      }
      if (outcome.status === 413) {
        return err(new MackerelError(`${label} failed: the document is over the 100 KB metadata limit (${body === undefined ? 0 : Buffer.byteLength(body)} bytes) ${tries}`, context));
      }
      if (outcome.kind === 'final' || attempt >= maxAttempts || signal?.aborted) return err(new MackerelError(`${label} failed: ${outcome.reason} ${tries}`, context));
      const delayMs = fullJitterDelayMs(attempt - 1, baseDelayMs, maxDelayMs);
      logger.warn('mackerel request retrying', { method, path, attempt, status: outcome.status, reason: outcome.reason, delayMs });
      if (!(await sleep(delayMs, signal))) return err(new MackerelError(`${label} failed: aborted while waiting to retry after ${outcome.reason} ${tries}`, context));
    }
  }

  return {
    getHostMetadata: async (hostId, namespace, signal) => {
      const res = await call('GET', hostId, namespace, undefined, signal);
      if (!res.ok) return res;
      if (res.value.status === 404) return ok(undefined);
      try {
        return ok(JSON.parse(res.value.text) as unknown);
      } catch {
        const path = `/api/v0/hosts/${encodeURIComponent(hostId)}/metadata/${encodeURIComponent(namespace)}`;
        return err(new MackerelError(`Mackerel GET host metadata ${namespace}: the stored value is not JSON`, { status: res.value.status, path, attempts: 1 }));
      }
    },
    putHostMetadata: async (hostId, namespace, value, signal) => {
      const res = await call('PUT', hostId, namespace, value, signal);
      return res.ok ? ok(undefined) : res;
    },
  };
}

/** Mackerel's `{"error":{"message"}}` (or `{"error":"…"}`) text, shortened; undefined for any other body. */
function errorText(text: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const e = typeof parsed === 'object' && parsed !== null ? (parsed as { error?: unknown }).error : undefined;
  const message = typeof e === 'string' ? e : typeof e === 'object' && e !== null ? (e as { message?: unknown }).message : undefined;
  if (typeof message !== 'string') return undefined;
  return message.length > MAX_REASON_CHARS ? `${message.slice(0, MAX_REASON_CHARS)}…` : message;
}
