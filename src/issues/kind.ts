/**
 * The `kind` of an Issue: one short word for the root cause of a failure, so that the summary can count
 * failures by `stage/kind` (10,000 targets with two root causes read as two lines). Pure: it reads an error's
 * shape (name, code, HTTP status, `cause` chain); its message text only where a library left nothing else
 * (see {@link kindFromMessage}).
 *
 * Vocabulary (documented in the README, "Monitoring the collector"):
 * - `throttled`: the API said slow down (AWS Throttling*, RequestLimitExceeded, HTTP 429)
 * - `denied`: not allowed (AccessDenied*, UnauthorizedOperation, HTTP 401/403)
 * - `not-found`: the thing asked for does not exist (ClusterNotFoundException, HTTP 404)
 * - `timeout`: a deadline fired (our call deadline, the SDK's request timeout, ETIMEDOUT)
 * - `refused`: the connection was refused (ECONNREFUSED)
 * - `network`: any other transport failure (reset, DNS, unreachable)
 * - `5xx` / `4xx`: the server answered with that class of status
 * - `aborted`: the cycle's own deadline stopped the call
 * - `error`: none of the above
 */

export const ISSUE_KINDS = ['throttled', 'denied', 'not-found', 'timeout', 'refused', 'network', '5xx', '4xx', 'aborted', 'error'] as const;
export type ErrorKind = (typeof ISSUE_KINDS)[number];

const THROTTLED_NAMES = new Set(['ThrottlingException', 'Throttling', 'ThrottledException', 'RequestLimitExceeded', 'TooManyRequestsException', 'RequestThrottled', 'SlowDown']);
const DENIED_NAMES = new Set(['AccessDeniedException', 'AccessDenied', 'UnauthorizedOperation', 'AuthFailure', 'MackerelAuthError', 'AccessDeniedError', 'UnrecognizedClientException', 'ExpiredTokenException']);
const NOT_FOUND_NAMES = new Set(['ClusterNotFoundException', 'ClusterNotFoundError', 'NotFound', 'NoSuchKey', 'NoSuchBucket', 'ParameterNotFound']);
const TIMEOUT_NAMES = new Set(['CallTimeoutError', 'TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ESOCKETTIMEDOUT']);
const NETWORK_CODES = new Set(['ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'UND_ERR_SOCKET', 'ECONNABORTED']);

interface ErrorShape {
  name?: unknown;
  code?: unknown;
  status?: unknown;
  kind?: unknown;
  $metadata?: { httpStatusCode?: unknown };
  cause?: unknown;
  errors?: unknown;
}

function statusKind(status: unknown): ErrorKind | undefined {
  if (typeof status !== 'number') return undefined;
  if (status === 429) return 'throttled';
  if (status === 401 || status === 403) return 'denied';
  if (status === 404) return 'not-found';
  if (status >= 500) return '5xx';
  if (status >= 400) return '4xx';
  return undefined;
}

/** The kind of one error object, not looking at its cause. */
function ownKind(e: ErrorShape): ErrorKind | undefined {
  const name = typeof e.name === 'string' ? e.name : '';
  const code = typeof e.code === 'string' ? e.code : '';
  if (name === 'AbortError') return 'aborted';
  if (THROTTLED_NAMES.has(name) || THROTTLED_NAMES.has(code)) return 'throttled';
  if (DENIED_NAMES.has(name) || DENIED_NAMES.has(code)) return 'denied';
  if (NOT_FOUND_NAMES.has(name)) return 'not-found';
  if (TIMEOUT_NAMES.has(name) || TIMEOUT_CODES.has(code)) return 'timeout';
  if (code === 'ECONNREFUSED') return 'refused';
  if (NETWORK_CODES.has(code)) return 'network';
  return statusKind(e.status) ?? statusKind(e.$metadata?.httpStatusCode);
}

/** A Node error code quoted in a message: `connect ECONNREFUSED 127.0.0.1:9`. */
const CODE_IN_MESSAGE = /\b(E[A-Z]{3,}|UND_ERR_[A-Z_]+)\b/;

/**
 * The SDK's retry layer re-wraps a thrown value that is not `instanceof Error` (an error from another realm) as
 * `new Error("AWS SDK error wrapper for Error: connect ECONNREFUSED …")`, losing `code`: the code survives only in
 * the message, so it is read from there as a last resort.
 */
function kindFromMessage(message: unknown): ErrorKind | undefined {
  if (typeof message !== 'string') return undefined;
  const code = CODE_IN_MESSAGE.exec(message)?.[1];
  return code === undefined ? undefined : ownKind({ code });
}

/**
 * The kind of a thrown value, following `cause` (and AggregateError's `errors`, which is how Node reports a
 * refused connection to a name with several addresses) to the first error that says more than "failed".
 */
export function errorKind(e: unknown): ErrorKind {
  let cur: unknown = e;
  const messages: unknown[] = [];
  for (let depth = 0; depth < 6 && typeof cur === 'object' && cur !== null; depth++) {
    const shape = cur as ErrorShape & { message?: unknown };
    const k = ownKind(shape);
    if (k !== undefined) return k;
    messages.push(shape.message);
    const inner = Array.isArray(shape.errors) ? (shape.errors as unknown[])[0] : undefined;
    cur = shape.cause ?? inner;
  }
  for (const m of messages) {
    const k = kindFromMessage(m);
    if (k !== undefined) return k;
  }
  return 'error';
}

/** `stage/kind`: the key the summary counts issues by. */
export function issueKey(issue: { readonly stage: string; readonly kind: string }): string {
  return `${issue.stage}/${issue.kind}`;
}

/** Counts issues by `stage/kind`, keys sorted for stable output. */
export function countByKey(issues: readonly { readonly stage: string; readonly kind: string }[]): Record<string, number> {
  const counts = new Map<string, number>();
  for (const i of issues) counts.set(issueKey(i), (counts.get(issueKey(i)) ?? 0) + 1);
  return Object.fromEntries([...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
