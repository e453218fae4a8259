import { errorKind } from '../issues/kind';
import { CriticalError, describeError } from '../errors';
import type { DashboardBody, DashboardPort, ExistingDashboard } from '../mackerel/dashboardClient';
import type { MackerelFailure } from '../mackerel/errors';
import type { Result } from '../result';
import { mapLimit } from '../util/mapLimit';
import { sameDashboard } from './compare';

/**
 * Creates or updates dashboards by urlPath. The API has no upsert and no lookup by urlPath (reference §7):
 * list, then PUT the match or POST a new one. A urlPath is unique in the organisation, so a POST that lost a
 * race (409) lists again and updates the winner: there is never a duplicate.
 */

/** Dashboards written at once: a handful of calls each, and the API documents no rate limit for them. */
export const DASHBOARD_CONCURRENCY = 2;

/** What happened to one dashboard; `would-*` only in a dry run, `failed` with `error` set. */
export type DashboardAction = 'created' | 'updated' | 'unchanged' | 'would-create' | 'would-update' | 'failed';

/** The outcome for one body, in input order. `id` is absent when no dashboard exists (yet). */
export interface DashboardOutcome {
  readonly urlPath: string;
  readonly id?: string;
  readonly action: DashboardAction;
  readonly error?: string;
  /** The Issue kind of `error` (`5xx`, `timeout`, `duplicate`, …). */
  readonly errorKind?: string;
}

/** Options of {@link upsertDashboards}. */
export interface UpsertOptions {
  /** Read (list, get) but write nothing; report `would-create` / `would-update` / `unchanged`. */
  readonly dryRun?: boolean;
  readonly signal?: AbortSignal;
}

/**
 * Creates or updates one dashboard per body, matched by urlPath; an existing dashboard whose title, memo and
 * widgets already match is left alone. Never throws: failures are outcomes. After a 401/403 the remaining
 * dashboards are not tried (every call would fail the same way) and carry the same error.
 */
export async function upsertDashboards(client: DashboardPort, bodies: readonly DashboardBody[], options: UpsertOptions = {}): Promise<DashboardOutcome[]> {
  const { dryRun = false, signal } = options;
  const listed = await client.listDashboards(signal);
  if (!listed.ok) return bodies.map((b) => failed(b.urlPath, undefined, listed.error));
  const byPath = indexByPath(listed.value);
  let critical: MackerelFailure | undefined;
  const seen = new Set<string>();

  const one = async (body: DashboardBody): Promise<DashboardOutcome> => {
    if (seen.has(body.urlPath)) return { urlPath: body.urlPath, action: 'failed', error: 'the same urlPath twice in one run; only the first is written', errorKind: 'duplicate' };
    seen.add(body.urlPath);
    if (critical !== undefined) return failed(body.urlPath, byPath.get(body.urlPath)?.id, critical);
    const outcome = await upsertOne(client, body, byPath.get(body.urlPath), dryRun, signal);
    if (!outcome.ok) {
      if (outcome.error.failure instanceof CriticalError) critical = outcome.error.failure;
      return failed(body.urlPath, outcome.error.id, outcome.error.failure);
    }
    return outcome.value;
  };
  return mapLimit(bodies, DASHBOARD_CONCURRENCY, one);
}

type Step = Result<DashboardOutcome, { failure: MackerelFailure; id?: string }>;

async function upsertOne(client: DashboardPort, body: DashboardBody, match: ExistingDashboard | undefined, dryRun: boolean, signal?: AbortSignal): Promise<Step> {
  if (match !== undefined) return updateIfChanged(client, body, match, dryRun, signal);
  if (dryRun) return ok({ urlPath: body.urlPath, action: 'would-create' });
  const created = await client.createDashboard(body, signal);
  if (created.ok) return ok({ urlPath: body.urlPath, id: created.value.id, action: 'created' });
  if (created.error.status !== 409) return fail(created.error);
  // Someone created this urlPath between our list and our POST (another run, the hourly Lambda): update theirs.
  const relisted = await client.listDashboards(signal);
  if (!relisted.ok) return fail(relisted.error);
  const winner = indexByPath(relisted.value).get(body.urlPath);
  if (winner === undefined) return fail(created.error);
  return updateIfChanged(client, body, winner, dryRun, signal);
}

async function updateIfChanged(client: DashboardPort, body: DashboardBody, match: ExistingDashboard, dryRun: boolean, signal?: AbortSignal): Promise<Step> {
  const { id } = match;
  let full = match;
  if (match.widgets === undefined) {
    const got = await client.getDashboard(id, signal);
    if (!got.ok) return fail(got.error, id);
    full = got.value;
  }
  if (sameDashboard(full, body)) return ok({ urlPath: body.urlPath, id, action: 'unchanged' });
  if (dryRun) return ok({ urlPath: body.urlPath, id, action: 'would-update' });
  const updated = await client.updateDashboard(id, body, signal);
  if (updated.ok) return ok({ urlPath: body.urlPath, id: updated.value.id, action: 'updated' });
  if (updated.error.status !== 404) return fail(updated.error, id);
  // Deleted by hand since the list: create it again (a 409 here would mean yet another race; reported).
  const created = await client.createDashboard(body, signal);
  return created.ok ? ok({ urlPath: body.urlPath, id: created.value.id, action: 'created' }) : fail(created.error);
}

function indexByPath(list: readonly ExistingDashboard[]): Map<string, ExistingDashboard> {
  const byPath = new Map<string, ExistingDashboard>();
  for (const d of list) if (!byPath.has(d.urlPath)) byPath.set(d.urlPath, d);
  return byPath;
}

const ok = (value: DashboardOutcome): Step => ({ ok: true, value });
const fail = (failure: MackerelFailure, id?: string): Step => ({ ok: false, error: id === undefined ? { failure } : { failure, id } });

function failed(urlPath: string, id: string | undefined, e: MackerelFailure): DashboardOutcome {
  return { urlPath, ...(id === undefined ? {} : { id }), action: 'failed', error: describeError(e), errorKind: errorKind(e) };
}
