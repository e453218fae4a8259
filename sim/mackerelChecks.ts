/**
 * `POST /api/v0/monitoring/checks/report` (reference mackerel-api.md §13; API docs, check-monitoring#post,
 * https://mackerel.io/api-docs/entry/check-monitoring#post) and the alert each (host, check name) would have in
 * Mackerel: one alert per pair, opened after `maxCheckAttempts` (default 1, API docs) consecutive non-OK
 * reports, closed by an OK report. A report not newer than the last one of its pair is ignored, as the API
 * does ("同じ名前/ホストで監視時刻が新しいものが既に投稿されていた場合", JA docs), but kept in the history
 * with `ignored: true` so tests can see it.
 */
import { apiError, success, type ReceiverState, type Route } from './mackerelRoutes';
import { validateCheckReports } from './mackerelValidation';

/** Check statuses the API takes. */
export type SimCheckStatus = 'OK' | 'WARNING' | 'CRITICAL' | 'UNKNOWN';

/** One accepted report in its wire shape, plus whether Mackerel would have ignored it. */
export interface ReceivedCheckReport {
  readonly source: { readonly type: 'host'; readonly hostId: string };
  readonly name: string;
  readonly status: SimCheckStatus;
  readonly message: string;
  readonly occurredAt: number;
  readonly maxCheckAttempts?: number;
  readonly notificationInterval?: number;
  readonly ignored: boolean;
}

/** The alert state of one (host, check name). */
export interface CheckAlert {
  /** An alert is open: `consecutiveFailures` reached `maxCheckAttempts` and no OK came since. */
  readonly open: boolean;
  /** Status of the last report applied. */
  readonly status: SimCheckStatus;
  /** Non-OK reports in a row, up to and including the last one. */
  readonly consecutiveFailures: number;
  /** Alerts opened so far for this pair. */
  readonly opened: number;
  readonly lastOccurredAt: number;
}

/** The key of a (host, check name) pair in `ReceiverState.checkAlerts`. */
export const checkKey = (hostId: string, name: string): string => `${hostId}\u0000${name}`;

/** Applies one report to its pair's alert; returns false when Mackerel would ignore it. */
function apply(state: ReceiverState, r: Omit<ReceivedCheckReport, 'ignored'>): boolean {
  const key = checkKey(r.source.hostId, r.name);
  const prev = state.checkAlerts.get(key);
  if (prev !== undefined && r.occurredAt <= prev.lastOccurredAt) return false;
  const opened = prev?.opened ?? 0;
  if (r.status === 'OK') {
    state.checkAlerts.set(key, { open: false, status: 'OK', consecutiveFailures: 0, opened, lastOccurredAt: r.occurredAt });
    return true;
  }
  const failures = (prev?.consecutiveFailures ?? 0) + 1;
  const wasOpen = prev?.open ?? false;
  const open = wasOpen || failures >= (r.maxCheckAttempts ?? 1);
  state.checkAlerts.set(key, { open, status: r.status, consecutiveFailures: failures, opened: opened + (open && !wasOpen ? 1 : 0), lastOccurredAt: r.occurredAt });
  return true;
}

/** The check report route. */
export const checkRoutes: readonly Route[] = [
  {
    method: 'POST',
    pattern: /^\/api\/v0\/monitoring\/checks\/report$/,
    handle: (req, state) => {
      const live = (id: string): boolean => state.hosts.byHostId(id)?.isRetired === false;
      const problem = validateCheckReports(req.body, live, state.now());
      if (problem) return apiError(400, problem);
      for (const r of (req.body as { reports: Omit<ReceivedCheckReport, 'ignored'>[] }).reports) {
        state.checkReports.push({ ...r, ignored: !apply(state, r) });
      }
      return success;
    },
  },
];
