import { buildCheckReports, type CheckHost, type CheckReport, type CheckStatus } from '../checks/report';
import { CriticalError } from '../errors';
import { errorKind } from '../issues/kind';
import type { CheckPort } from '../mackerel/checkClient';
import type { Issue, Target } from '../types';

/** What the checks step needs from the configuration. */
export interface ChecksOptions {
  readonly name: string;
  readonly failureStatus: 'CRITICAL' | 'WARNING';
  readonly maxCheckAttempts: number;
  readonly nowS: number;
  readonly dryRun: boolean;
  /**
   * Discovery missed tasks this cycle (a cluster's listing failed): a host absent from `placed` may still run
   * tasks, so it gets no "no targets left" OK and keeps its last status until a complete cycle says otherwise.
   */
  readonly incomplete: boolean;
}

/** The step's outcome for the summary. */
export interface ChecksOutcome {
  readonly reports: readonly CheckReport[];
  /** Reports Mackerel accepted (0 in a dry run). */
  readonly reported: number;
  /** Hosts reported with a non-OK status. */
  readonly failing: number;
  readonly failed: Issue[];
}

/**
 * One Mackerel check per host that has targets this cycle: OK, or CRITICAL/WARNING naming each failing target
 * (its `stage/kind` and reason). `previous` is what each host was last reported with; it is replaced by this
 * cycle's statuses only when the reports were accepted, so a host whose final OK failed to post gets it again.
 * A 401/403 is thrown (critical, like every other Mackerel call).
 */
export async function reportChecks(
  placed: readonly { readonly target: Target; readonly hostId: string }[],
  failures: readonly Issue[],
  previous: Map<string, CheckStatus>,
  opts: ChecksOptions,
  client: CheckPort | undefined,
  signal?: AbortSignal,
): Promise<ChecksOutcome> {
  const failureOf = new Map<string, Issue>();
  for (const f of failures) if (!failureOf.has(f.target)) failureOf.set(f.target, f);
  const byHost = new Map<string, CheckHost['targets'][number][]>();
  for (const { target: t, hostId } of placed) {
    const list = byHost.get(hostId) ?? [];
    const f = failureOf.get(t.id);
    list.push({
      targetId: t.id,
      taskId: t.taskId,
      containerName: t.containerName,
      family: t.family,
      ...(t.service ? { service: t.service } : {}),
      ...(f ? { failure: { stage: f.stage, kind: f.kind, reason: f.reason } } : {}),
    });
    byHost.set(hostId, list);
  }
  const hosts = [...byHost].map(([hostId, targets]) => ({ hostId, targets }));
  const carried = opts.incomplete ? new Map([...previous].filter(([h]) => !byHost.has(h))) : new Map<string, CheckStatus>();
  const vouched = opts.incomplete ? new Map([...previous].filter(([h]) => byHost.has(h))) : previous;
  const plan = buildCheckReports(hosts, vouched, { name: opts.name, failureStatus: opts.failureStatus, maxCheckAttempts: opts.maxCheckAttempts, nowS: opts.nowS });
  const failing = plan.reports.filter((r) => r.status !== 'OK').length;
  if (opts.dryRun || client === undefined || plan.reports.length === 0) return { reports: plan.reports, reported: 0, failing, failed: [] };
  const posted = await client.postCheckReports(plan.reports, signal);
  if (!posted.ok) {
    if (posted.error instanceof CriticalError) throw posted.error;
    return { reports: plan.reports, reported: 0, failing, failed: [{ target: `check ${opts.name}`, reason: posted.error.message, stage: 'check', kind: errorKind(posted.error) }] };
  }
  previous.clear();
  for (const [h, s] of plan.next) previous.set(h, s);
  for (const [h, s] of carried) previous.set(h, s);
  return { reports: plan.reports, reported: plan.reports.length, failing, failed: [] };
}
