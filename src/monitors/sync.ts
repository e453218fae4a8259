import { errorKind } from '../issues/kind';
import { CriticalError, describeError } from '../errors';
import type { MackerelFailure } from '../mackerel/errors';
import { SERVICE_MONITOR_FIELDS, type ExistingMonitor, type MonitorPort, type ServiceMonitorBody } from '../mackerel/monitorClient';
import { MONITOR_NAME_PREFIX } from './build';

/**
 * Creates or updates the collector's monitors by name. The API has no upsert (reference §14): list, then PUT
 * the match or POST a new one; run twice, the second run changes nothing. Only monitors whose name is one of
 * ours (they all start with {@link MONITOR_NAME_PREFIX}) are ever written: anything else in the organisation
 * is left alone. Mirrors src/dashboards/sync.ts.
 *
 * Unlike dashboard urlPaths, monitor names are not unique in Mackerel, so two runs racing between list and
 * POST could both create one; the next run then updates the first of the pair and leaves the other.
 */

/** What happened to one monitor; `would-*` only in a dry run, `failed` with `error` set. */
export type MonitorAction = 'created' | 'updated' | 'unchanged' | 'would-create' | 'would-update' | 'failed';

/** The outcome for one desired monitor, in input order. `id` is absent when no monitor exists (yet). */
export interface MonitorOutcome {
  readonly name: string;
  readonly id?: string;
  readonly action: MonitorAction;
  readonly error?: string;
  /** The Issue kind of `error` (`5xx`, `denied`, `name-taken`, …). */
  readonly errorKind?: string;
}

/** Options of {@link syncMonitors}. */
export interface SyncMonitorsOptions {
  /** List, but write nothing; report `would-create` / `would-update` / `unchanged`. */
  readonly dryRun?: boolean;
}

/**
 * Creates missing monitors and updates those whose managed fields differ (the fields `desired` sets; `isMute`
 * and fields it leaves out are the user's and are carried over on a PUT, since a PUT replaces everything).
 * Never throws: failures are outcomes. After a 401/403 the remaining monitors are not tried.
 */
export async function syncMonitors(
  desired: readonly ServiceMonitorBody[],
  client: MonitorPort,
  options: SyncMonitorsOptions = {},
  signal?: AbortSignal,
): Promise<MonitorOutcome[]> {
  const dryRun = options.dryRun ?? false;
  const listed = await client.listMonitors(signal);
  if (!listed.ok) return desired.map((m) => failed(m.name, undefined, describeError(listed.error), errorKind(listed.error)));
  const byName = new Map<string, ExistingMonitor>();
  for (const m of listed.value) if (!byName.has(m.name)) byName.set(m.name, m);
  const seen = new Set<string>();
  let critical: MackerelFailure | undefined;
  const out: MonitorOutcome[] = [];

  for (const want of desired) {
    const match = byName.get(want.name);
    if (!want.name.startsWith(MONITOR_NAME_PREFIX)) {
      out.push(failed(want.name, undefined, `not ours to write: the name does not start with ${JSON.stringify(MONITOR_NAME_PREFIX)}`, 'not-ours'));
    } else if (seen.has(want.name)) {
      out.push(failed(want.name, undefined, 'the same name twice in one run; only the first is written', 'duplicate'));
    } else if (critical !== undefined) {
      out.push(failed(want.name, match?.id, describeError(critical), errorKind(critical)));
    } else if (match !== undefined && match.type !== want.type) {
      out.push(failed(want.name, match.id, `a monitor of type ${match.type} already has this name; left alone`, 'name-taken'));
    } else {
      const outcome = await syncOne(client, want, match, dryRun, signal);
      if (outcome.failure instanceof CriticalError) critical = outcome.failure;
      out.push(outcome.result);
    }
    seen.add(want.name);
  }
  return out;
}

interface Step {
  readonly result: MonitorOutcome;
  readonly failure?: MackerelFailure;
}

async function syncOne(client: MonitorPort, want: ServiceMonitorBody, match: ExistingMonitor | undefined, dryRun: boolean, signal?: AbortSignal): Promise<Step> {
  if (match === undefined) return dryRun ? done(want.name, undefined, 'would-create') : create(client, want, signal);
  if (sameMonitor(match, want)) return done(want.name, match.id, 'unchanged');
  if (dryRun) return done(want.name, match.id, 'would-update');
  const updated = await client.updateMonitor(match.id, mergeForPut(match, want), signal);
  if (updated.ok) return done(want.name, updated.value.id, 'updated');
  // Deleted by hand since the list: create it again.
  if (updated.error.status === 404) return create(client, want, signal);
  return { result: failed(want.name, match.id, describeError(updated.error), errorKind(updated.error)), failure: updated.error };
}

async function create(client: MonitorPort, want: ServiceMonitorBody, signal?: AbortSignal): Promise<Step> {
  const created = await client.createMonitor(want, signal);
  if (created.ok) return done(want.name, created.value.id, 'created');
  return { result: failed(want.name, undefined, describeError(created.error), errorKind(created.error)), failure: created.error };
}

/**
 * Whether every field `want` sets already has that value. `null` and absent are the same (the API leaves out
 * unset fields in its answers); `isMute` is the user's to change and never compared.
 */
export function sameMonitor(existing: ExistingMonitor, want: ServiceMonitorBody): boolean {
  for (const key of SERVICE_MONITOR_FIELDS) {
    if (key === 'isMute' || !(key in want)) continue;
    const have = existing.fields[key] ?? null;
    const value = want[key] ?? null;
    if (!Object.is(have, value)) return false;
  }
  return true;
}

/**
 * The PUT body: `want`, plus the existing monitor's values for the fields `want` leaves out (a notification
 * interval set by hand) and always its `isMute` (a PUT without it would unmute the monitor).
 */
function mergeForPut(existing: ExistingMonitor, want: ServiceMonitorBody): ServiceMonitorBody {
  const kept: Record<string, unknown> = {};
  for (const key of SERVICE_MONITOR_FIELDS) {
    const value = existing.fields[key];
    if (key === 'isMute' || key in want || typeof value !== 'number') continue;
    kept[key] = value;
  }
  const mute = existing.fields.isMute;
  return { ...kept, ...want, ...(typeof mute === 'boolean' ? { isMute: mute } : {}) };
}

const done = (name: string, id: string | undefined, action: MonitorAction): Step => ({ result: { name, ...(id === undefined ? {} : { id }), action } });

function failed(name: string, id: string | undefined, error: string, kind: string): MonitorOutcome {
  return { name, ...(id === undefined ? {} : { id }), action: 'failed', error, errorKind: kind };
}
