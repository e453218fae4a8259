import { CollectorError, CriticalError } from '../errors';

/** Context every Mackerel API failure carries. Never the API key: messages are scrubbed before use. */
export interface MackerelErrorContext {
  /** HTTP status of the last attempt; absent for network errors, timeouts and aborts. */
  readonly status?: number;
  /** API path without the query string, e.g. `/api/v0/tsdb`. */
  readonly path: string;
  /** Attempts made, retries included. */
  readonly attempts: number;
}

/** A Mackerel API call failed (after its retries, where it was retryable). One batch, not the cycle. */
export class MackerelError extends CollectorError {
  // `name: string` (not a literal) keeps MackerelAuthError structurally assignable to this type.
  override readonly name: string = 'MackerelError';
  readonly status: number | undefined;
  readonly path: string;
  readonly attempts: number;
  constructor(message: string, context: MackerelErrorContext, options?: ErrorOptions) {
    super(message, options);
    this.status = context.status;
    this.path = context.path;
    this.attempts = context.attempts;
  }
}

/**
 * Mackerel answered 401 or 403: the key is wrong, lacks Write permission, or the caller is outside the
 * organisation's API IP allow-list. Every later call would fail the same way, so the cycle stops.
 */
export class MackerelAuthError extends CriticalError {
  override readonly name: string = 'MackerelAuthError';
  readonly status: number | undefined;
  readonly path: string;
  readonly attempts: number;
  constructor(message: string, context: MackerelErrorContext, options?: ErrorOptions) {
    super(message, options);
    this.status = context.status;
    this.path = context.path;
    this.attempts = context.attempts;
  }
}

/** What a Mackerel call can fail with; test `instanceof CriticalError` to decide whether to stop the cycle. */
export type MackerelFailure = MackerelError | MackerelAuthError;
