import { chunk } from '../mackerel/batch';

/**
 * One Mackerel check per Mackerel host that has scrape targets, reported every cycle with
 * `POST /api/v0/monitoring/checks/report` (reference/mackerel-api.md §13; API docs, check-monitoring#post:
 * https://mackerel.io/api-docs/entry/check-monitoring#post). Pure: the caller passes the hosts, what was
 * reported last time, and the clock.
 *
 * Limits from the API docs: at most 100 reports per request, `message` of at most 1024 characters,
 * `maxCheckAttempts` 1-10 (default 1), `notificationInterval` in minutes (less than 10 is raised to 10).
 * mackerel-agent cuts messages at 1024 code points (mackerel/check.go, `messageLengthLimit = 1024`,
 * `[]rune(msg)[0:1024]`); we stay inside the same cap but end with "… and N more" instead of cutting.
 *
 * Quirk (API docs): mackerel-agent sends its own check names with its host-spec update (hourly,
 * command/command.go `specsUpdateInterval`), and Mackerel then deletes the host's checks that are not in that
 * list and have no open alert. Ours is recreated by the next report, so reporting every cycle (never only on
 * change) is what keeps it visible.
 */

/** A check status as the API takes it. */
export type CheckStatus = 'OK' | 'WARNING' | 'CRITICAL' | 'UNKNOWN';

/** One report, exactly the documented wire shape. */
export interface CheckReport {
  readonly source: { readonly type: 'host'; readonly hostId: string };
  readonly name: string;
  readonly status: CheckStatus;
  readonly message: string;
  /** Epoch seconds. Mackerel ignores a report not newer than the last one of the same host and name. */
  readonly occurredAt: number;
  readonly maxCheckAttempts?: number;
  readonly notificationInterval?: number;
}

/** Why a target failed this cycle, as in the cycle's Issue (`stage/kind` plus the readable reason). */
export interface CheckTargetFailure {
  readonly stage: string;
  readonly kind: string;
  readonly reason: string;
}

/** One scrape target on a host. */
export interface CheckTarget {
  /** `<cluster>/<taskId>/<container>:<containerPort>` (Target.id). */
  readonly targetId: string;
  readonly taskId: string;
  readonly containerName: string;
  readonly family: string;
  readonly service?: string;
  /** Absent when the target was scraped and posted. */
  readonly failure?: CheckTargetFailure;
}

/** A Mackerel host with the targets that ran on it this cycle. */
export interface CheckHost {
  readonly hostId: string;
  readonly targets: readonly CheckTarget[];
}

/** Options of {@link buildCheckReports}. */
export interface CheckReportOptions {
  /** Check name shown in Mackerel. Default {@link DEFAULT_CHECK_NAME}. */
  readonly name?: string;
  /** Status of a host with at least one failing target. */
  readonly failureStatus: 'CRITICAL' | 'WARNING';
  /** Consecutive failing cycles before Mackerel opens an alert; clamped to 1-10 (API docs). */
  readonly maxCheckAttempts: number;
  /** Minutes between re-sent notifications; omitted = never re-sent. */
  readonly notificationInterval?: number;
  /** The cycle's time in epoch seconds. */
  readonly nowS: number;
}

/** The reports of one cycle and the state to pass to the next one. */
export interface CheckReportPlan {
  /** Sorted by hostId. */
  readonly reports: CheckReport[];
  /** hostId → status reported this cycle, for every host that still has targets. */
  readonly next: Map<string, CheckStatus>;
}

export const DEFAULT_CHECK_NAME = 'ecs-tasks';
/** API docs: "Up to 100 <report> can be sent with one API request." */
export const MAX_CHECK_REPORTS_PER_POST = 100;
/** API docs: message "under 1024 characters"; mackerel-agent truncates to 1024 runes (mackerel/check.go). */
export const MAX_CHECK_MESSAGE_CHARS = 1024;
/** API docs: maxCheckAttempts 1-10. */
export const MAX_CHECK_ATTEMPTS_LIMIT = 10;
/** One failure's reason in the message; the rest of it is in the logs. */
const MAX_REASON_CHARS = 160;
/** `stage/kind` counts shown in the message's first sentence. */
const MAX_KINDS_SHOWN = 4;

/**
 * The check report of every host with targets (OK, or `failureStatus` naming the failing targets), plus a
 * final OK for each host of `previous` that has no target left, so an alert opened while its tasks were
 * failing does not stay open after they stopped. Hosts appearing twice in `hosts` are merged.
 */
export function buildCheckReports(hosts: readonly CheckHost[], previous: ReadonlyMap<string, CheckStatus>, options: CheckReportOptions): CheckReportPlan {
  const name = options.name ?? DEFAULT_CHECK_NAME;
  const occurredAt = Math.floor(options.nowS);
  const attempts = Math.min(MAX_CHECK_ATTEMPTS_LIMIT, Math.max(1, Math.floor(options.maxCheckAttempts) || 1));
  const extra = { maxCheckAttempts: attempts, ...(options.notificationInterval === undefined ? {} : { notificationInterval: options.notificationInterval }) };
  const report = (hostId: string, status: CheckStatus, message: string): CheckReport => ({ source: { type: 'host', hostId }, name, status, message, occurredAt, ...extra });

  const byHost = new Map<string, CheckTarget[]>();
  for (const h of hosts) {
    if (h.targets.length === 0) continue;
    const list = byHost.get(h.hostId) ?? [];
    list.push(...h.targets);
    byHost.set(h.hostId, list);
  }
  const reports: CheckReport[] = [];
  const next = new Map<string, CheckStatus>();
  for (const [hostId, targets] of byHost) {
    const failing = targets.filter((t) => t.failure !== undefined);
    const status: CheckStatus = failing.length === 0 ? 'OK' : options.failureStatus;
    reports.push(report(hostId, status, failing.length === 0 ? `${plural(targets.length, 'target')} scraped` : failureMessage(failing, targets.length)));
    next.set(hostId, status);
  }
  for (const hostId of previous.keys()) {
    if (!byHost.has(hostId)) reports.push(report(hostId, 'OK', 'no targets left on this host'));
  }
  reports.sort((a, b) => compare(a.source.hostId, b.source.hostId));
  return { reports, next };
}

/** Splits reports into requests of at most {@link MAX_CHECK_REPORTS_PER_POST}. */
export function chunkCheckReports(reports: readonly CheckReport[]): CheckReport[][] {
  return chunk(reports, MAX_CHECK_REPORTS_PER_POST);
}

/** Length as Mackerel and the agent count it: code points, not UTF-16 units. */
export function checkMessageLength(message: string): number {
  return [...message].length;
}

/**
 * `2 of 5 targets failing (scrape/timeout 2): api/3f2a9c1e/app:8080 scrape/timeout (timed out after 3000 ms); …`,
 * at most {@link MAX_CHECK_MESSAGE_CHARS} code points: whole entries only, then `… and N more`.
 */
function failureMessage(failing: readonly CheckTarget[], total: number): string {
  const counts = new Map<string, number>();
  for (const t of failing) {
    const key = `${t.failure?.stage}/${t.failure?.kind}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const kinds = [...counts].sort((a, b) => b[1] - a[1] || compare(a[0], b[0]));
  const shown = kinds.slice(0, MAX_KINDS_SHOWN).map(([k, n]) => `${k} ${n}`);
  if (kinds.length > MAX_KINDS_SHOWN) shown.push(`${kinds.length - MAX_KINDS_SHOWN} other kinds`);
  const head = `${failing.length} of ${plural(total, 'target')} failing (${shown.join(', ')}): `;

  const entries = failing.map(entry).sort(compare);
  const parts: string[] = [];
  for (const [i, e] of entries.entries()) {
    const rest = entries.length - i - 1;
    const candidate = head + [...parts, e].join('; ') + (rest > 0 ? `; … and ${rest} more` : '');
    if (checkMessageLength(candidate) > MAX_CHECK_MESSAGE_CHARS) break;
    parts.push(e);
  }
  const left = entries.length - parts.length;
  const message = left === 0 ? head + parts.join('; ') : head + [...parts, `… and ${left} more`].join('; ');
  // Only an absurd stage or kind word could make the head itself too long; never send over the cap.
  return shorten(message, MAX_CHECK_MESSAGE_CHARS);
}

/** `api/3f2a9c1e/app:8080 scrape/timeout (timed out after 3000 ms)`. */
function entry(t: CheckTarget): string {
  const port = /:(\d+)$/.exec(t.targetId)?.[1];
  const group = t.service !== undefined && t.service !== '' ? t.service : t.family;
  const label = `${group}/${t.taskId.slice(0, 8)}/${t.containerName}${port === undefined ? '' : `:${port}`}`;
  const f = t.failure;
  if (f === undefined) return label;
  return `${label} ${f.stage}/${f.kind} (${shorten(f.reason.replace(/\s+/g, ' ').trim(), MAX_REASON_CHARS)})`;
}

function shorten(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
