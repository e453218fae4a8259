import { CollectorError, describeError } from '../errors';

/** AWS error codes the ssm fetcher reacts to. */
export const SSM_ERROR = {
  /** GetCommandInvocation before the invocation exists (right after SendCommand): retry. */
  invocationDoesNotExist: 'InvocationDoesNotExist',
  /** SendCommand: an instance is unknown, stopped, or not managed by SSM. The whole call fails. */
  invalidInstanceId: 'InvalidInstanceId',
  accessDenied: 'AccessDeniedException',
} as const;

/** An SSM API call failed. `code` is the AWS error code (the SDK exception's name). */
export class SsmCallError extends CollectorError {
  override readonly name = 'SsmCallError';
  constructor(
    readonly action: 'SendCommand' | 'GetCommandInvocation' | 'GetObject',
    readonly code: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`${action} failed: ${message}`, options);
  }
}

/** Wraps whatever an SDK call threw, keeping the original as `cause`. */
export function toSsmCallError(e: unknown, action: SsmCallError['action']): SsmCallError {
  if (e instanceof SsmCallError) return e;
  const code = e instanceof Error ? e.name : 'Error';
  return new SsmCallError(action, code, describeError(e), { cause: e });
}

/** The AWS error code of anything thrown by an {@link SsmPort} method ('' when it is not an SsmCallError). */
export function ssmErrorCode(e: unknown): string {
  return e instanceof SsmCallError ? e.code : '';
}
