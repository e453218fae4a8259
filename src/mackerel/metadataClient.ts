/**
 * Host metadata (reference mackerel-api.md §6): `GET|PUT /api/v0/hosts/{hostId}/metadata/{namespace}`, where
 * the task inventory lives. Same request loop as client.ts (request.ts): retries with full jitter on
 * 429/5xx/network/timeout, 401/403 as MackerelAuthError, the key never in a message.
 */
import { describeError } from '../errors';
import { err, ok, type Result } from '../result';
import { fullJitterDelayMs } from '../util/backoff';
import { MackerelError, type MackerelFailure } from './errors';
import { attemptsText, createApiSender, type MackerelRequestOptions } from './request';

/** Settings of the metadata client; as MackerelClientOptions. Delays and timeouts are in milliseconds. */
export type MetadataClientOptions = MackerelRequestOptions;

/** Reads and writes one namespace of a host's metadata. */
export interface MetadataPort {
  /** The stored JSON value, or undefined when the namespace holds nothing (404). */
  getHostMetadata(hostId: string, namespace: string, signal?: AbortSignal): Promise<Result<unknown, MackerelFailure>>;
  /** Replaces the value (≤100 KB; over it, a MackerelError saying so, not retried). */
  putHostMetadata(hostId: string, namespace: string, value: unknown, signal?: AbortSignal): Promise<Result<void, MackerelFailure>>;
}

/** Namespace rule of the API: `[-a-zA-Z0-9_]+`, and names starting with `mackerel` are reserved. */
const NAMESPACE = /^[-a-zA-Z0-9_]+$/;

type Answer = { status: number; text: string };

/** Creates the client over global fetch. */
export function createMetadataClient(opts: MetadataClientOptions): MetadataPort {
  // Metadata calls wait full jitter even when Retry-After is sent, and quote the whole cause chain of a
  // network error: kept as they were when this client had a loop of its own.
  const send = createApiSender(opts, {
    retryDelayMs: (_failure, retry, backoff) => fullJitterDelayMs(retry - 1, backoff.baseDelayMs, backoff.maxDelayMs),
    describeNetworkError: describeError,
  });

  async function call(method: 'GET' | 'PUT', path: string, namespace: string, value: unknown, signal?: AbortSignal): Promise<Result<Answer, MackerelFailure>> {
    const label = `Mackerel ${method} host metadata ${namespace}`;
    const refuse = NAMESPACE.test(namespace) && !namespace.startsWith('mackerel') ? undefined : 'a namespace is [-a-zA-Z0-9_]+ and may not start with "mackerel"';
    const body = method === 'PUT' ? value : undefined;
    const res = await send({ method, path, body, label, refuse, parse: (text, status) => ok({ status, text }) }, signal);
    if (res.ok || res.error.status !== 413) return res;
    // 413 is final (not retried); say which limit it is, with the size sent.
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const bytes = payload === undefined ? 0 : Buffer.byteLength(payload);
    const context = { status: res.error.status, path, attempts: res.error.attempts };
    return err(new MackerelError(`${label} failed: the document is over the 100 KB metadata limit (${bytes} bytes) (${attemptsText(context.attempts)})`, context));
  }

  return {
    getHostMetadata: async (hostId, namespace, signal) => {
      const path = metadataPath(hostId, namespace);
      const res = await call('GET', path, namespace, undefined, signal);
      // 404: the namespace holds nothing yet; not an error and not retried.
      if (!res.ok) return res.error.status === 404 ? ok(undefined) : res;
      try {
        return ok(JSON.parse(res.value.text) as unknown);
      } catch {
        return err(new MackerelError(`Mackerel GET host metadata ${namespace}: the stored value is not JSON`, { status: res.value.status, path, attempts: 1 }));
      }
    },
    putHostMetadata: async (hostId, namespace, value, signal) => {
      const res = await call('PUT', metadataPath(hostId, namespace), namespace, value, signal);
      return res.ok ? ok(undefined) : res;
    },
  };
}

function metadataPath(hostId: string, namespace: string): string {
  return `/api/v0/hosts/${encodeURIComponent(hostId)}/metadata/${encodeURIComponent(namespace)}`;
}
