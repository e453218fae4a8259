import { ok, type Result } from '../result';
import type { MackerelPort } from './client';
import type { MackerelFailure } from './errors';

/** Maps an EC2 instance id to the id of the Mackerel host mackerel-agent registered for it. */
export interface HostResolver {
  /** The host id, or undefined when no live host has the instance's custom identifier. */
  resolve(ec2InstanceId: string, signal?: AbortSignal): Promise<Result<string | undefined, MackerelFailure>>;
  /** Drops the cached lookups that point at this host id (Mackerel refused its values: retired), so the next cycle asks again. */
  forgetHost(hostId: string): void;
}

/** Cache settings; times in milliseconds. */
export interface HostResolverOptions {
  /** How long a found host id is kept. Default 1 hour: a host id does not change while the instance lives. */
  ttlMs?: number;
  /** How long "no such host" is kept. Default 5 minutes, so a freshly started agent is picked up soon. */
  negativeTtlMs?: number;
  /** Entries kept at most; the oldest is dropped beyond it (instances churn in a warm Lambda). Default 10000. */
  maxEntries?: number;
  now?: () => number;
}

/** mackerel-agent's custom identifier on EC2 (`spec/cloud.go`, reference §4). */
export const ec2CustomIdentifier = (instanceId: string): string => `${instanceId}.ec2.amazonaws.com`;

/**
 * Creates a caching resolver. Found and not-found answers are cached with their own TTL; errors are never
 * cached. Concurrent lookups of one instance share one request (which runs under the first caller's signal).
 */
export function createHostResolver(
  port: Pick<MackerelPort, 'findHostIdByCustomIdentifier'>,
  opts: HostResolverOptions = {},
): HostResolver {
  const ttlMs = opts.ttlMs ?? 60 * 60 * 1000;
  const negativeTtlMs = opts.negativeTtlMs ?? 5 * 60 * 1000;
  const maxEntries = opts.maxEntries ?? 10_000;
  const now = opts.now ?? Date.now;
  const cache = new Map<string, { hostId: string | undefined; expiresAt: number }>();
  const inFlight = new Map<string, Promise<Result<string | undefined, MackerelFailure>>>();

  const lookup = async (instanceId: string, signal?: AbortSignal): Promise<Result<string | undefined, MackerelFailure>> => {
    const result = await port.findHostIdByCustomIdentifier(ec2CustomIdentifier(instanceId), signal);
    if (result.ok) {
      cache.delete(instanceId); // re-insert so Map order stays oldest-first
      cache.set(instanceId, { hostId: result.value, expiresAt: now() + (result.value === undefined ? negativeTtlMs : ttlMs) });
      const oldest = cache.keys().next();
      if (cache.size > maxEntries && oldest.done !== true) cache.delete(oldest.value);
    }
    return result;
  };

  return {
    resolve: (instanceId, signal) => {
      const cached = cache.get(instanceId);
      if (cached !== undefined && cached.expiresAt > now()) return Promise.resolve(ok(cached.hostId));
      const existing = inFlight.get(instanceId);
      if (existing !== undefined) return existing;
      const pending = lookup(instanceId, signal).finally(() => inFlight.delete(instanceId));
      inFlight.set(instanceId, pending);
      return pending;
    },
    forgetHost: (hostId) => {
      for (const [instanceId, entry] of cache) if (entry.hostId === hostId) cache.delete(instanceId);
    },
  };
}
