import { chunkCheckReports, type CheckReport } from '../checks/report';
import { CriticalError } from '../errors';
import { silentLogger } from '../log';
import { err, ok, type Result } from '../result';
import { MackerelError, type MackerelFailure } from './errors';
import { createApiRequester, parseJson, type ApiRequesterOptions } from './request';

/**
 * `POST /api/v0/monitoring/checks/report` (reference/mackerel-api.md §13; API docs, check-monitoring#post,
 * https://mackerel.io/api-docs/entry/check-monitoring#post; mackerel-client-go checks.go `PostCheckReports`):
 * body `{"reports":[…]}`, at most 100 reports per request, answer `{"success":true}`. The docs list only 403
 * and "other than 200" as errors; the status for a report naming an unknown or retired host is unverified.
 */
const CHECK_REPORT_PATH = '/api/v0/monitoring/checks/report';

/** Settings of the check client (see {@link ApiRequesterOptions} for retries and timeouts). */
export type CheckClientOptions = ApiRequesterOptions;

/** Reports check results. Failures are data; a MackerelAuthError (401/403) is critical. */
export interface CheckPort {
  /**
   * Posts `reports` in requests of at most 100. A request refused with a 4xx is split in halves and re-sent,
   * so one bad report (a host retired since it was resolved) costs only itself; a 401/403, or a batch that
   * still fails after its retries (5xx, network, timeout), stops the rest. Returns the first failure, its
   * message prefixed with how many reports were not posted.
   */
  postCheckReports(reports: readonly CheckReport[], signal?: AbortSignal): Promise<Result<void, MackerelFailure>>;
}

interface BatchOutcome {
  readonly failure?: MackerelFailure;
  readonly refused: number;
  /** The remaining batches would fail the same way (auth, outage, abort). */
  readonly stop: boolean;
}

/** Creates the check report client. */
export function createCheckClient(opts: CheckClientOptions): CheckPort {
  const api = createApiRequester(opts);
  const logger = opts.logger ?? silentLogger;

  const postIsolating = async (batch: readonly CheckReport[], signal?: AbortSignal): Promise<BatchOutcome> => {
    const posted = await api.request('POST', CHECK_REPORT_PATH, { reports: batch }, successBody, signal);
    if (posted.ok) return { refused: 0, stop: false };
    const e = posted.error;
    const refusedByApi = !(e instanceof CriticalError) && e.status !== undefined && e.status >= 400 && e.status < 500 && e.status !== 429;
    if (!refusedByApi || signal?.aborted === true) return { failure: e, refused: batch.length, stop: true };
    if (batch.length === 1) return { failure: e, refused: 1, stop: false };
    const mid = Math.ceil(batch.length / 2);
    const first = await postIsolating(batch.slice(0, mid), signal);
    if (first.stop) return { failure: first.failure ?? e, refused: batch.length - mid + first.refused, stop: true };
    const second = await postIsolating(batch.slice(mid), signal);
    return { failure: first.failure ?? second.failure, refused: first.refused + second.refused, stop: second.stop };
  };

  return {
    async postCheckReports(reports, signal) {
      const batches = chunkCheckReports(reports);
      let failure: MackerelFailure | undefined;
      let refused = 0;
      for (const [i, batch] of batches.entries()) {
        const outcome = await postIsolating(batch, signal);
        failure ??= outcome.failure;
        refused += outcome.refused;
        if (outcome.stop) {
          refused += batches.slice(i + 1).reduce((n, b) => n + b.length, 0);
          break;
        }
      }
      if (failure === undefined) return ok(undefined);
      logger.warn('check reports not posted', { refused, total: reports.length, status: failure.status, errorName: failure.name });
      if (failure instanceof CriticalError) return err(failure);
      const context = { status: failure.status, path: failure.path, attempts: failure.attempts };
      return err(new MackerelError(`${refused} of ${reports.length} check reports not posted: ${failure.message}`, context, { cause: failure }));
    },
  };
}

/** A 2xx that is not `{"success":true}` (a proxy's page, a truncated answer) does not prove the reports arrived. */
function successBody(text: string): Result<void, string> {
  const parsed = parseJson(text);
  if (typeof parsed === 'object' && parsed !== null && (parsed as { success?: unknown }).success === true) return ok(undefined);
  return err(`unexpected response: expected {"success":true}, got ${parsed === undefined ? `${text.length} characters that are not JSON` : 'other JSON'}`);
}
