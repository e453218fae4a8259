import { z } from 'zod';
import { err, ok, type Result } from '../result';
import type { GraphDef, MetricValue } from '../types';
import type { MackerelFailure } from './errors';
import { createApiSender, parseJson, type MackerelRequestOptions } from './request';

/** Settings of the Mackerel API client. Delays and timeouts are in milliseconds. */
export type MackerelClientOptions = MackerelRequestOptions;

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

/** `GET /api/v0/hosts` returns only working+standby hosts unless told otherwise (reference §4). */
const HOST_STATUSES = ['working', 'standby', 'maintenance', 'poweroff'] as const;

const hostsResponse = z.object({
  hosts: z.array(z.object({ id: z.string().min(1), status: z.string().optional(), isRetired: z.boolean().optional() })),
});

/** Creates a Mackerel API v0 client; every 429/5xx waits `Retry-After` (capped) when sent, else full jitter. */
export function createMackerelClient(opts: MackerelClientOptions): MackerelPort {
  const send = createApiSender(opts);
  const ignoreBody = (): Result<void, string> => ok(undefined);

  return {
    findHostIdByCustomIdentifier: (customIdentifier, signal) => {
      const query = `?customIdentifier=${encodeURIComponent(customIdentifier)}${HOST_STATUSES.map((s) => `&status=${s}`).join('')}`;
      return send({ method: 'GET', path: '/api/v0/hosts', query, parse: pickHostId }, signal);
    },
    postMetrics: async (values, signal) => (values.length === 0 ? ok(undefined) : send({ method: 'POST', path: '/api/v0/tsdb', body: values, parse: successBody }, signal)),
    postGraphDefs: async (defs, signal) =>
      defs.length === 0 ? ok(undefined) : send({ method: 'POST', path: '/api/v0/graph-defs/create', body: defs, parse: ignoreBody }, signal),
  };
}

/**
 * `POST /api/v0/tsdb` answers `{"success":true}` (reference §2). A 2xx whose body is not that JSON (a proxy's
 * HTML page, a truncated answer) does not prove the values were stored: it is a failure, and the batch is
 * queued and re-sent (re-posting a timestamp overwrites it, so a false alarm costs nothing).
 */
function successBody(text: string): Result<void, string> {
  const parsed = parseJson(text);
  if (typeof parsed !== 'object' || parsed === null || (parsed as { success?: unknown }).success !== true) {
    return err(`unexpected response: expected {"success":true}, got ${parsed === undefined ? `${text.length} characters that are not JSON` : 'other JSON'}`);
  }
  return ok(undefined);
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
