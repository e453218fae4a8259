/**
 * ssm mode: the bytes of every target fetched on its own instance by agent-script/scrape.sh, sent with SSM Run
 * Command. Targets are grouped by instance, one SendCommand per batch of up to 50 instances, then each instance's
 * invocation is polled and its framed output split back into one result per target, handed to `onResult` as soon
 * as that instance is done. Every failure (refused target, unmanaged instance, failed or timed-out command, output
 * cut at 24,000 characters) becomes a per-target ScrapeError with its reason; fetchEach never rejects.
 */
import { performance } from 'node:perf_hooks';
import { describeError } from '../errors';
import { silentLogger, type Logger } from '../log';
import { err } from '../result';
import { createDeadline } from '../util/deadline';
import type { BodyFetcher, OnResult } from './bodyFetcher';
import { ScrapeError, type ScrapeErrorKind } from './errors';
import { SSM_ERROR, ssmErrorCode } from './ssmErrors';
import { afterEndProblem, frameToResult } from './ssmFraming';
import { readInstanceOutput } from './ssmOutput';
import { waitForInvocation } from './ssmPoll';
import { DELIVERY_TIMEOUT_S, EXECUTION_TIMEOUT_MAX_S, INVOCATION_STDOUT_MAX_CHARS, type SsmOutputStore, type SsmPort } from './ssmPort';
import { buildScriptCommands, encodeTargetData, groupByInstance, planBatches, SCRIPT_PARALLEL, type InstanceWork } from './ssmTargets';

/** Options of {@link createSsmFetcher}. */
export interface SsmFetcherOptions {
  readonly ssm: SsmPort;
  /** Per target, enforced by curl on the instance (SCRAPE_TIMEOUT_MS). */
  readonly timeoutMs: number;
  /** Body cap, enforced on the instance and again here (MAX_BODY_BYTES). */
  readonly maxBodyBytes: number;
  /** AWS-RunShellScript executionTimeout; default: enough for the busiest instance of the batch, plus a margin. */
  readonly executionTimeoutS?: number;
  /** First poll after SendCommand (default 500 ms); later polls back off up to `maxPollIntervalMs` (default 2 s). */
  readonly pollIntervalMs?: number;
  readonly maxPollIntervalMs?: number;
  /** SSM_OUTPUT_BUCKET: the agent uploads the complete output there; read through `s3` when the inline one is cut. */
  readonly outputBucket?: string;
  readonly outputKeyPrefix?: string;
  readonly s3?: SsmOutputStore;
  readonly logger?: Logger;
}

/** Seconds the script needs beyond its curls (mktemp, gzip, start-up of bash). */
const SCRIPT_OVERHEAD_S = 5;
const DEFAULT_POLL_INTERVAL_MS = 500;
const DEFAULT_MAX_POLL_INTERVAL_MS = 2000;
const DEFAULT_OUTPUT_KEY_PREFIX = 'mackerel-ecs-collector';

/** Creates the ssm-mode fetcher. */
export function createSsmFetcher(opts: SsmFetcherOptions): BodyFetcher {
  const logger = opts.logger ?? silentLogger;
  const poll = {
    intervalMs: opts.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS,
    maxIntervalMs: opts.maxPollIntervalMs ?? DEFAULT_MAX_POLL_INTERVAL_MS,
  };

  // onResult is awaited (the pipeline parses there), one target after another.
  const failAll = async (work: readonly InstanceWork[], onResult: OnResult, kind: ScrapeErrorKind, reason: string): Promise<void> => {
    for (const w of work) for (const e of w.entries) await onResult(e.target, err(new ScrapeError(e.target.id, kind, reason)));
  };

  const executionTimeoutFor = (batch: readonly InstanceWork[]): number => {
    if (opts.executionTimeoutS !== undefined) return opts.executionTimeoutS;
    const rounds = Math.ceil(Math.max(...batch.map((w) => w.entries.length)) / SCRIPT_PARALLEL);
    return Math.min(EXECUTION_TIMEOUT_MAX_S, rounds * Math.ceil(opts.timeoutMs / 1000) + SCRIPT_OVERHEAD_S);
  };

  /** Sends one command; on InvalidInstanceId (which fails the whole call) splits the batch to isolate the instance. */
  const send = async (batch: readonly InstanceWork[], onResult: OnResult, signal?: AbortSignal): Promise<{ commandId: string; batch: readonly InstanceWork[]; executionTimeoutS: number }[]> => {
    const executionTimeoutS = executionTimeoutFor(batch);
    try {
      const commandId = await opts.ssm.sendCommand(
        {
          instanceIds: batch.map((w) => w.instanceId),
          commands: buildScriptCommands(encodeTargetData(batch), opts),
          executionTimeoutS,
          deliveryTimeoutS: DELIVERY_TIMEOUT_S,
          comment: 'mackerel-ecs-collector scrape',
          outputS3Bucket: opts.outputBucket,
          outputS3KeyPrefix: opts.outputBucket === undefined ? undefined : (opts.outputKeyPrefix ?? DEFAULT_OUTPUT_KEY_PREFIX),
        },
        signal,
      );
      logger.debug('ssm command sent', { commandId, instances: batch.length, executionTimeoutS });
      return [{ commandId, batch, executionTimeoutS }];
    } catch (e) {
      const code = ssmErrorCode(e);
      if (code === SSM_ERROR.invalidInstanceId && batch.length > 1) {
        const mid = Math.ceil(batch.length / 2);
        const halves = await Promise.all([send(batch.slice(0, mid), onResult, signal), send(batch.slice(mid), onResult, signal)]);
        return halves.flat();
      }
      let reason = `SSM SendCommand failed: ${describeError(e)}`;
      if (code === SSM_ERROR.invalidInstanceId) {
        reason = `instance ${batch[0]?.instanceId} is not managed by SSM (InvalidInstanceId): the SSM Agent must be online and the instance profile must allow SSM (AmazonSSMManagedInstanceCore)`;
      } else if (code === SSM_ERROR.accessDenied) {
        reason = 'ssm:SendCommand was denied: check the IAM policy (README "IAM actions")';
      }
      logger.warn('ssm send failed', { instances: batch.map((w) => w.instanceId), errorName: code || 'Error', reason });
      await failAll(batch, onResult, signal?.aborted ? 'aborted' : 'network', signal?.aborted ? 'aborted' : reason);
      return [];
    }
  };

  /** Waits for one instance and hands out its targets' results. */
  const collect = async (commandId: string, executionTimeoutS: number, work: InstanceWork, started: number, onResult: OnResult, signal?: AbortSignal): Promise<void> => {
    const { instanceId } = work;
    const deadline = createDeadline((executionTimeoutS + DELIVERY_TIMEOUT_S + SCRIPT_OVERHEAD_S) * 1000, signal);
    try {
      const waited = await waitForInvocation(opts.ssm, commandId, instanceId, poll, deadline);
      if (!waited.ok) {
        logger.warn('ssm command not finished', { instanceId, commandId, reason: waited.error.message });
        return failAll([work], onResult, waited.error.kind, `${waited.error.message} (on ${instanceId})`);
      }
      const inv = waited.value;
      if (inv.status !== 'Success') {
        const details = inv.statusDetails && inv.statusDetails !== inv.status ? ` (${inv.statusDetails})` : '';
        const stderr = inv.stderr.trim() ? `: ${inv.stderr.trim().slice(0, 200)}` : '';
        logger.warn('ssm command failed', { instanceId, commandId, status: inv.status, statusDetails: inv.statusDetails });
        return failAll([work], onResult, inv.status === 'TimedOut' ? 'timeout' : 'network', `SSM command ${inv.status}${details} on ${instanceId}${stderr}`);
      }
      const maxBytes = work.entries.length * Math.ceil(opts.maxBodyBytes * 1.4 + 256) + 4096;
      const { parsed, s3Problem } = await readInstanceOutput(inv, { bucket: opts.outputBucket, store: opts.s3, maxBytes }, deadline.signal);
      const afterEnd = afterEndProblem(parsed, instanceId);
      if (afterEnd !== undefined) logger.warn('ssm output has lines after END', { instanceId, commandId, linesAfterEnd: parsed.linesAfterEnd, reason: afterEnd });
      // Per-target times are not in the output: a target's duration is its command's, from SendCommand to now.
      const durationMs = Math.round(performance.now() - started);
      if (parsed.fatal !== undefined) return failAll([work], onResult, 'network', `scrape script on ${instanceId}: ${parsed.fatal}`);
      if (!parsed.complete) {
        logger.warn('ssm output truncated', { instanceId, commandId, neededBytes: parsed.neededChars, frames: parsed.frames.size, s3Problem });
      }
      for (const { target, index } of work.entries) {
        const frame = parsed.frames.get(index);
        if (frame) {
          await onResult(target, frameToResult(frame, { targetId: target.id, port: target.port, instanceId, timeoutMs: opts.timeoutMs, maxBodyBytes: opts.maxBodyBytes, durationMs }));
        } else {
          const [kind, reason] = missingFrameReason(parsed.complete, parsed.neededChars, instanceId, inv.stdout, s3Problem);
          await onResult(target, err(new ScrapeError(target.id, kind, reason)));
        }
      }
    } finally {
      deadline.clear();
    }
  };

  return {
    async fetchEach(targets, onResult, signal) {
      const { work, refused } = groupByInstance(targets);
      for (const r of refused) await onResult(r.target, err(new ScrapeError(r.target.id, 'address-not-allowed', r.reason)));
      await Promise.all(
        planBatches(work).map(async (batch) => {
          const started = performance.now();
          const sent = await send(batch, onResult, signal);
          await Promise.all(sent.flatMap((s) => s.batch.map((w) => collect(s.commandId, s.executionTimeoutS, w, started, onResult, signal))));
        }),
      );
    },
    close: () => undefined,
  };
}

function missingFrameReason(complete: boolean, needed: number | undefined, instanceId: string, stdout: string, s3Problem?: string): [ScrapeErrorKind, string] {
  if (complete) return ['network', `no result for this target in the SSM output (on ${instanceId})`];
  if (needed === undefined) return ['network', `the SSM output holds no frames (on ${instanceId}): ${JSON.stringify(stdout.slice(0, 100))}`];
  const limit = INVOCATION_STDOUT_MAX_CHARS.toLocaleString('en-US');
  const fix = s3Problem === undefined ? 'set SSM_OUTPUT_BUCKET' : `the complete output could not be read: ${s3Problem}`;
  return ['too-large', `SSM output truncated at ${limit} characters (${needed} bytes needed) on ${instanceId}; ${fix}`];
}
