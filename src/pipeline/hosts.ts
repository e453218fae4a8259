import type { Result } from '../result';
import type { MackerelError } from '../mackerel/errors';
import { CriticalError } from '../errors';
import type { Logger } from '../log';
import { errorKind } from '../issues/kind';
import { mapLimit } from '../util/mapLimit';
import type { Issue, Target } from '../types';

/** Resolves an EC2 instance id to its Mackerel host id (undefined = no such host). */
export interface HostLookup {
  resolve(ec2InstanceId: string, signal?: AbortSignal): Promise<Result<string | undefined, MackerelError>>;
  /** Forgets cached lookups that map to `hostId` (its values were refused: a host retired within the cache's TTL). */
  forgetHost?(hostId: string): void;
}

/** Concurrent host lookups per cycle (each cached for an hour). Cold, 1,000 lookups at 8 in flight took 1.1–1.5 s on loopback and ~7 s at 50 ms API latency (bench). */
export const HOST_LOOKUP_CONCURRENCY = 32;

/**
 * Where an instance's targets go: its host; `skipped` (no such host) or `failed`; or `pending`: the lookup failed
 * for a reason that may pass (5xx, 429, network, timeout), so the targets are scraped and their values wait on
 * the retry queue for the host id (pendingHosts.ts).
 */
export type HostPlacement =
  | { readonly ok: true; readonly hostId: string }
  | { readonly ok: false; readonly kind: 'skipped' | 'failed' | 'pending'; readonly reason: string; readonly errorKind: string };

/** A lookup failure that may pass by itself: no answer, a 5xx or a 429. */
function isTransient(error: MackerelError): boolean {
  return error.status === undefined || error.status >= 500 || error.status === 429;
}

/**
 * Finds the Mackerel host of every instance the targets run on. Unknown hosts are skipped (never a new billed
 * host); lookup errors fail only that instance's targets; 401/403 is thrown.
 */
export async function resolveHosts(
  targets: readonly Pick<Target, 'ec2InstanceId'>[],
  deps: { hosts?: HostLookup; logger: Logger },
  dryRun: boolean,
  signal?: AbortSignal,
): Promise<Map<string, HostPlacement>> {
  const ids = [...new Set(targets.map((t) => t.ec2InstanceId).filter((id): id is string => id !== undefined))];
  const out = new Map<string, HostPlacement>();
  const lookup = deps.hosts;
  if (!lookup) {
    for (const id of ids) out.set(id, dryRun ? { ok: true, hostId: `unresolved:${id}` } : { ok: false, kind: 'failed', reason: 'no Mackerel API client', errorKind: 'no-client' });
    return out;
  }
  await mapLimit(ids, HOST_LOOKUP_CONCURRENCY, async (id) => {
    const r = await lookup.resolve(id, signal);
    if (!r.ok) {
      if (r.error instanceof CriticalError) throw r.error;
      deps.logger.warn('host lookup failed', { ec2InstanceId: id, reason: r.error.message, errorName: r.error.name });
      out.set(id, { ok: false, kind: isTransient(r.error) ? 'pending' : 'failed', reason: `Mackerel host lookup failed: ${r.error.message}`, errorKind: errorKind(r.error) });
    } else if (r.value === undefined) {
      deps.logger.warn('no mackerel host', { ec2InstanceId: id });
      out.set(id, {
        ok: false,
        kind: 'skipped',
        errorKind: 'unknown-host',
        reason: `no Mackerel host with custom identifier ${id}.ec2.amazonaws.com (is mackerel-agent running on the instance?)`,
      });
    } else {
      out.set(id, { ok: true, hostId: r.value });
    }
  });
  return out;
}

/** Splits targets by where they can go: placed on a Mackerel host, or skipped/failed with the reason. */
export function placeTargets(
  targets: readonly Target[],
  hosts: ReadonlyMap<string, HostPlacement>,
): { placed: { target: Target; hostId: string }[]; pending: { target: Target; reason: string; kind: string }[]; skipped: Issue[]; failed: Issue[] } {
  const placed: { target: Target; hostId: string }[] = [];
  const pending: { target: Target; reason: string; kind: string }[] = [];
  const skipped: Issue[] = [];
  const failed: Issue[] = [];
  for (const t of targets) {
    const h = hosts.get(t.ec2InstanceId ?? '');
    if (h === undefined) skipped.push({ target: t.id, reason: 'no EC2 instance to post to', stage: 'host', kind: 'no-instance' });
    else if (h.ok) placed.push({ target: t, hostId: h.hostId });
    else if (h.kind === 'pending') pending.push({ target: t, reason: h.reason, kind: h.errorKind });
    else (h.kind === 'failed' ? failed : skipped).push({ target: t.id, reason: h.reason, stage: 'host', kind: h.errorKind });
  }
  return { placed, pending, skipped, failed };
}
