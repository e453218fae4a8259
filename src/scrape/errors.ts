import { CollectorError } from '../errors';

/** Why a scrape failed, as a discriminant callers can count by. */
export type ScrapeErrorKind =
  | 'refused'
  | 'timeout'
  | 'http-status'
  | 'too-large'
  | 'network'
  | 'address-not-allowed'
  | 'aborted';

/**
 * A scrape of one target failed. The message is short and self-contained ("HTTP 500", "timed out after
 * 2000 ms") because it becomes the reason in the cycle summary; `targetId` says which target.
 */
export class ScrapeError extends CollectorError {
  override readonly name: string = 'ScrapeError';
  /** The HTTP status, for `http-status` errors. */
  readonly status: number | undefined;
  constructor(
    readonly targetId: string,
    readonly kind: ScrapeErrorKind,
    message: string,
    options?: ErrorOptions & { status?: number },
  ) {
    super(message, options);
    this.status = options?.status;
  }
}
