/**
 * Discovery errors. Following the ecsobserver precedent, AccessDenied stops the cycle (nothing useful can come of
 * retrying every minute until someone fixes IAM); an unknown cluster stops that cluster's discovery, and the cycle
 * only when it is the last one. Every other failure of a single call, a timeout included, is reported as an Issue
 * and discovery goes on with what it has.
 */
import { CollectorError, CriticalError, describeError } from '../errors';
import { withCallTimeout } from '../util/awsCall';

/** `(cluster prod)`, or nothing for account-wide calls such as DescribeTaskDefinition. */
const where = (cluster: string | undefined): string => (cluster === undefined ? '' : ` (cluster ${cluster})`);

/** A discovery call failed in a way that affects only the records it was about. */
export class DiscoveryError extends CollectorError {
  override readonly name = 'DiscoveryError';
  constructor(
    /** Undefined for account-wide calls (DescribeTaskDefinition, DescribeInstances). */
    readonly cluster: string | undefined,
    readonly action: string,
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`${action} failed${where(cluster)}: ${reason}`, options);
  }
}

/** The collector's role may not make a discovery call: fix IAM (see the README's IAM actions). */
export class AccessDeniedError extends CriticalError {
  override readonly name = 'AccessDeniedError';
  constructor(
    readonly cluster: string | undefined,
    readonly action: string,
    options?: ErrorOptions,
  ) {
    super(`${action} was denied${where(cluster)}: check the IAM policy`, options);
  }
}

/**
 * A configured cluster does not exist in this account and Region. Discovery reports it as an issue for that
 * cluster and goes on with the others; only when no configured cluster exists does it stop the cycle
 * ({@link ClusterNotFoundError.ofAll}).
 */
export class ClusterNotFoundError extends CriticalError {
  override readonly name = 'ClusterNotFoundError';
  constructor(
    readonly cluster: string | undefined,
    readonly action: string,
    options?: ErrorOptions,
    message = `cluster ${cluster ?? '(unknown)'} not found (${action}): check ECS_CLUSTERS and AWS_REGION`,
  ) {
    super(message, options);
  }

  /** The cycle's error when every configured cluster is missing: the one error, or one naming them all. */
  static ofAll(missing: readonly [ClusterNotFoundError, ...ClusterNotFoundError[]]): ClusterNotFoundError {
    const [first] = missing;
    if (missing.length === 1) return first;
    const names = missing.map((e) => `${e.cluster ?? '(unknown)'} (${e.action})`).join(', ');
    return new ClusterNotFoundError(undefined, first.action, { cause: first }, `no configured cluster was found: ${names}: check ECS_CLUSTERS and AWS_REGION`);
  }
}

/** SDK error names meaning "not allowed": ECS `AccessDeniedException`, EC2 `UnauthorizedOperation`/`AuthFailure`. */
const ACCESS_DENIED_NAMES: ReadonlySet<string> = new Set(['AccessDeniedException', 'UnauthorizedOperation', 'AuthFailure']);
const CLUSTER_NOT_FOUND_NAMES: ReadonlySet<string> = new Set(['ClusterNotFoundException']);

/**
 * Maps anything an SDK call threw to a CollectorError, keeping the original as `cause`. A CollectorError passes
 * through unchanged, so adapters can wrap their whole body.
 */
export function toDiscoveryError(e: unknown, cluster: string | undefined, action: string): CollectorError {
  if (e instanceof CollectorError) return e;
  const name = e instanceof Error ? e.name : '';
  if (ACCESS_DENIED_NAMES.has(name)) return new AccessDeniedError(cluster, action, { cause: e });
  if (CLUSTER_NOT_FOUND_NAMES.has(name)) return new ClusterNotFoundError(cluster, action, { cause: e });
  return new DiscoveryError(cluster, action, describeError(e), { cause: e });
}

/**
 * Sends one SDK call within `timeoutMs` (util/awsCall.ts), turning whatever it throws into a CollectorError: the
 * one way the ECS and EC2 adapters call AWS.
 */
export async function sendBounded<T>(
  action: string,
  cluster: string | undefined,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  call: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  try {
    return await withCallTimeout(timeoutMs, signal, call);
  } catch (e) {
    throw toDiscoveryError(e, cluster, action);
  }
}
