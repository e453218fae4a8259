/**
 * Behaviour shared by the simulated AWS endpoints: per-action call counts (benchmark and cache tests read
 * them), artificial latency, and errors injected for the next N calls of an action.
 */
import type { IncomingMessage } from 'node:http';
import { randomUUID } from 'node:crypto';

/** An error the next calls of one action will return instead of their result. */
export interface InjectedError {
  /** Wire error code, e.g. `AccessDeniedException`, `ThrottlingException`, `RequestLimitExceeded`. */
  readonly code: string;
  readonly message: string;
  /** HTTP status; AWS uses 400 for throttling and most client errors. */
  readonly status: number;
}

/** Options of `AwsControl.failNext`. */
export interface FailOptions {
  /** How many calls fail (default 1). */
  times?: number;
  status?: number;
  message?: string;
}

/** Call counting, latency and error injection for one simulated AWS service (`ecs` or `ec2`). */
export class AwsControl {
  /** Artificial latency added to every call, in milliseconds. */
  latencyMs: number;
  private readonly counts = new Map<string, number>();
  private readonly injected = new Map<string, { error: InjectedError; remaining: number }>();

  constructor(
    readonly service: string,
    latencyMs = 0,
  ) {
    this.latencyMs = latencyMs;
  }

  /** Counts one call of `action`. Counted before auth and injected errors: every request AWS would bill. */
  count(action: string): void {
    this.counts.set(action, (this.counts.get(action) ?? 0) + 1);
  }

  /** Calls per action, keyed `<service>:<Action>` (e.g. `ecs:DescribeTasks`). */
  calls(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [action, n] of this.counts) out[`${this.service}:${action}`] = n;
    return out;
  }

  /** Makes the next `times` calls of `action` fail with `code`. */
  failNext(action: string, code: string, options: FailOptions = {}): void {
    const error: InjectedError = {
      code,
      status: options.status ?? defaultStatus(code),
      message: options.message ?? defaultMessage(code),
    };
    this.injected.set(action, { error, remaining: options.times ?? 1 });
  }

  /** Returns (and consumes) the injected error for this call of `action`, if any. */
  takeError(action: string): InjectedError | undefined {
    const entry = this.injected.get(action);
    if (!entry) return undefined;
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.injected.delete(action);
    return entry.error;
  }

  /** Clears counts and injected errors. */
  reset(): void {
    this.counts.clear();
    this.injected.clear();
  }
}

/**
 * The SDK signs every request with SigV4 (`Authorization: AWS4-HMAC-SHA256 Credential=…`). The simulator only
 * checks that a signature is present; it does not verify it (the keys are fake anyway).
 */
export function hasSigV4(req: IncomingMessage): boolean {
  const auth = req.headers.authorization;
  return typeof auth === 'string' && auth.startsWith('AWS4-HMAC-SHA256 ');
}

/** A request id in the shape AWS returns (`x-amzn-requestid`, EC2 `<requestId>`). */
export function requestId(): string {
  return randomUUID();
}

function defaultStatus(code: string): number {
  if (code === 'AuthFailure') return 401;
  if (code === 'InternalError' || code === 'ServerException' || code === 'InternalFailure') return 500;
  if (code === 'ServiceUnavailable' || code === 'Unavailable') return 503;
  return 400;
}

function defaultMessage(code: string): string {
  if (code === 'ThrottlingException' || code === 'RequestLimitExceeded') return 'Rate exceeded';
  if (code === 'AccessDeniedException' || code === 'UnauthorizedOperation') {
    return 'User: arn:aws:sts::111122223333:assumed-role/collector/fn is not authorized to perform this operation';
  }
  return `simulated ${code}`;
}
