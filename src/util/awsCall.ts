/**
 * Time bounds for every AWS SDK call (ECS, EC2, SSM, S3). Two layers, because each covers what the other cannot:
 * the request handler bounds one HTTP attempt (a connect that never completes, a response that never starts),
 * and a per-call deadline bounds the whole `send()`, retries and back-off included, and also ends it at once when
 * the cycle's own signal aborts. Without them one hung endpoint holds the cycle until Lambda kills it, and the
 * CLI, which has no Lambda deadline, never ends.
 */
import { createDeadline } from './deadline';

/** TCP + TLS to a Regional endpoint takes milliseconds; 3 s only trips on a black-holed route. */
export const AWS_CONNECTION_TIMEOUT_MS = 3_000;
/** One HTTP attempt, request sent to response headers: the read APIs we call answer in well under a second. */
export const AWS_REQUEST_TIMEOUT_MS = 5_000;
/** One `send()`, SDK retries included (3 attempts, back-off ≤ a few seconds with `maxAttempts` 3). */
export const AWS_CALL_TIMEOUT_MS = 10_000;

/**
 * `requestHandler` options for an SDK v3 client (the SDK builds its NodeHttpHandler from them). Passed as
 * options rather than a `new NodeHttpHandler()` so that we do not import @smithy/node-http-handler, a transitive
 * dependency whose version the Lambda runtime's SDK chooses. `throwOnRequestTimeout` turns a breached
 * `requestTimeout` into a retryable TimeoutError; without it the handler only logs a warning.
 */
export const AWS_REQUEST_HANDLER_OPTIONS = {
  connectionTimeout: AWS_CONNECTION_TIMEOUT_MS,
  requestTimeout: AWS_REQUEST_TIMEOUT_MS,
  throwOnRequestTimeout: true,
} as const;

/** A call's own timer fired (not the caller's signal). The message is what issues and logs show. */
export class CallTimeoutError extends Error {
  override readonly name = 'CallTimeoutError';
  constructor(
    readonly timeoutMs: number,
    options?: ErrorOptions,
  ) {
    super(`timed out after ${timeoutMs} ms`, options);
  }
}

/**
 * Runs `call` with a signal that fires after `timeoutMs` or when `parent` aborts, and settles as soon as that
 * signal fires even if the call ignores it (a mocked client, an SDK stuck in back-off). A timeout rejects with
 * {@link CallTimeoutError}, an ordinary failure the caller reports; an abort of `parent` rejects with the
 * parent's reason, so that the cycle still ends the way it does today.
 */
export async function withCallTimeout<T>(timeoutMs: number, parent: AbortSignal | undefined, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const deadline = createDeadline(timeoutMs, parent);
  const fired = (): unknown => (deadline.cause() === 'timeout' ? new CallTimeoutError(timeoutMs) : (parent?.reason ?? deadline.signal.reason));
  try {
    return await new Promise<T>((resolve, reject) => {
      if (deadline.signal.aborted) {
        reject(fired());
        return;
      }
      deadline.signal.addEventListener('abort', () => reject(fired()), { once: true });
      // Through a microtask, so a call that throws synchronously or returns a plain value (a mocked client) works too.
      Promise.resolve()
        .then(() => call(deadline.signal))
        .then(resolve, (e: unknown) => reject(deadline.signal.aborted ? fired() : e));
    });
  } finally {
    deadline.clear();
  }
}
