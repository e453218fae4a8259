/**
 * Waits for one instance's invocation of a command to finish, polling GetCommandInvocation. The SDK's own
 * `waitUntilCommandExecuted` waits at least 5 s between polls (reference §5); scrapes finish in about a second, so
 * we poll from `intervalMs` and back off.
 */
import { describeError } from '../errors';
import { err, ok, type Result } from '../result';
import type { Deadline } from '../util/deadline';
import { sleep } from '../util/sleep';
import { SSM_ERROR, ssmErrorCode } from './ssmErrors';
import { TERMINAL_STATUSES, type CommandInvocation, type SsmPort } from './ssmPort';

/** Poll timing. */
export interface PollSettings {
  /** First wait after SendCommand, and the base of the back-off. */
  readonly intervalMs: number;
  /** Longest wait between two polls. */
  readonly maxIntervalMs: number;
}

/** Why waiting stopped without a final status. */
export interface PollFailure {
  readonly kind: 'timeout' | 'aborted' | 'network';
  readonly message: string;
}

/** Other errors in a row (the SDK has already retried each one) before we give up on an instance. */
const MAX_CONSECUTIVE_ERRORS = 3;
/** Growth of the wait while a command is running; InvocationDoesNotExist and errors double it. */
const RUNNING_GROWTH = 1.5;

/** Waits between half and all of `ms`, so that the polls of 50 instances do not fire in lockstep. */
function jittered(ms: number, random: () => number): number {
  return Math.round(ms / 2 + (random() * ms) / 2);
}

/**
 * Polls until the invocation reaches a final status (Success, Failed, TimedOut, Cancelled) or `deadline` fires.
 * `InvocationDoesNotExist` (the command is not visible yet, right after SendCommand) is retried with back-off.
 */
export async function waitForInvocation(
  ssm: SsmPort,
  commandId: string,
  instanceId: string,
  settings: PollSettings,
  deadline: Deadline,
  random: () => number = Math.random,
): Promise<Result<CommandInvocation, PollFailure>> {
  let waitMs = settings.intervalMs;
  let errors = 0;
  let lastStatus = 'not visible yet';
  const stopped = (): Result<never, PollFailure> =>
    err(
      deadline.cause() === 'timeout'
        ? { kind: 'timeout', message: `SSM command ${commandId} did not finish in time (last status: ${lastStatus})` }
        : { kind: 'aborted', message: 'aborted while waiting for the SSM command' },
    );
  const grow = (factor: number): void => {
    waitMs = Math.min(settings.maxIntervalMs, Math.ceil(waitMs * factor));
  };

  for (;;) {
    if (!(await sleep(jittered(waitMs, random), deadline.signal))) return stopped();
    try {
      const invocation = await ssm.getCommandInvocation(commandId, instanceId, deadline.signal);
      errors = 0;
      lastStatus = invocation.status;
      if (TERMINAL_STATUSES.has(invocation.status)) return ok(invocation);
      grow(RUNNING_GROWTH);
    } catch (e) {
      if (deadline.signal.aborted) return stopped();
      if (ssmErrorCode(e) !== SSM_ERROR.invocationDoesNotExist && ++errors >= MAX_CONSECUTIVE_ERRORS) {
        return err({ kind: 'network', message: describeError(e) });
      }
      grow(2);
    }
  }
}
