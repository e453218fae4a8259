import { CriticalError } from '../errors';
import type { MackerelFailure } from '../mackerel/errors';
import { mapLimit } from '../util/mapLimit';
import type { MetricValue } from '../types';
import { HOST_LOOKUP_CONCURRENCY, type HostLookup } from './hosts';

/**
 * While Mackerel is unreachable a cold container cannot map an EC2 instance to its Mackerel host. Its targets are
 * scraped all the same and their values carry `pending:<instance id>` as host id: they wait on the retry queue
 * and get their real host id once a lookup succeeds. Such a value is never sent with the placeholder.
 */
export const PENDING_HOST_PREFIX = 'pending:';

/** The placeholder host id of an instance whose Mackerel host could not be looked up yet. */
export const pendingHostId = (ec2InstanceId: string): string => `${PENDING_HOST_PREFIX}${ec2InstanceId}`;

/** What {@link settlePendingHosts} made of a list of values. */
export interface SettledValues {
  /** Values with a real host id, in input order. */
  readonly ready: MetricValue[];
  /** Values whose host still cannot be looked up: back on the queue. */
  readonly waiting: MetricValue[];
  /** Values of instances that turned out to have no Mackerel host (never a new billed host): dropped. */
  readonly noHost: number;
  /** A critical lookup failure (401/403): the caller keeps every value and stops the cycle. */
  readonly critical?: MackerelFailure;
}

/** Gives pending values their host id where a lookup now succeeds (lookups are cached by the resolver). */
export async function settlePendingHosts(values: readonly MetricValue[], hosts: HostLookup | undefined, signal?: AbortSignal): Promise<SettledValues> {
  const instances = [...new Set(values.filter((v) => v.hostId.startsWith(PENDING_HOST_PREFIX)).map((v) => v.hostId.slice(PENDING_HOST_PREFIX.length)))];
  if (instances.length === 0) return { ready: [...values], waiting: [], noHost: 0 };
  const found = new Map<string, string | null>(); // instance → host id; null: no such host; absent: still unknown
  let critical: MackerelFailure | undefined;
  if (hosts) {
    await mapLimit(instances, HOST_LOOKUP_CONCURRENCY, async (id) => {
      const r = await hosts.resolve(id, signal);
      if (r.ok) found.set(id, r.value ?? null);
      else if (r.error instanceof CriticalError) critical ??= r.error;
    });
  }
  const ready: MetricValue[] = [];
  const waiting: MetricValue[] = [];
  let noHost = 0;
  for (const v of values) {
    if (!v.hostId.startsWith(PENDING_HOST_PREFIX)) {
      ready.push(v);
      continue;
    }
    const hostId = found.get(v.hostId.slice(PENDING_HOST_PREFIX.length));
    if (hostId === undefined) waiting.push(v);
    else if (hostId === null) noHost++;
    else ready.push({ ...v, hostId });
  }
  return { ready, waiting, noHost, ...(critical ? { critical } : {}) };
}
