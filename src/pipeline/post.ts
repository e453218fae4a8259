import { errorKind } from '../issues/kind';
import { CriticalError } from '../errors';
import { chunk, MAX_METRICS_PER_POST } from '../mackerel/batch';
import type { MackerelPort } from '../mackerel/client';
import type { MackerelFailure } from '../mackerel/errors';
import { graphDefinitions } from '../mackerel/graphDefs';
import type { GraphMeta } from '../parse';
import type { Logger } from '../log';
import { mapLimit } from '../util/mapLimit';
import type { GraphDef, Issue, MetricValue } from '../types';
import { GRAPH_DEFS_REFRESH_MS, type CollectorState } from './state';

/** Concurrent POST /api/v0/tsdb requests. Mackerel documents no general rate limit; stay modest. */
export const POST_CONCURRENCY = 8;
/** Graph definitions per POST /api/v0/graph-defs/create request. */
export const GRAPH_DEFS_PER_POST = 100;
/**
 * Extra requests one cycle may spend splitting rejected batches to find the values Mackerel refuses. Grouping by
 * host and probing three values per host settle the common case (a retired host) in four requests a host; the
 * budget only stops a pathological body of scattered bad values from turning one cycle into thousands of calls.
 */
export const MAX_SPLIT_REQUESTS = 200;

/** What posting achieved, value by value. */
export interface PostOutcome {
  readonly posted: number;
  readonly failed: Issue[];
  /** Values put back on the retry queue (5xx, network, timeout, an unreadable 200, a stopped cycle). */
  readonly queued: number;
  /** Values Mackerel refused (4xx) once isolated, by reason; never re-sent. */
  readonly rejected: Readonly<Record<string, number>>;
  /** Host ids all of whose values were refused (typically retired): their cached lookups should be dropped. */
  readonly rejectedHosts: readonly string[];
}

/** A 4xx other than 401/403/429: the request itself is refused, so re-sending it as is will not help. */
function isRejection(error: MackerelFailure): boolean {
  return !(error instanceof CriticalError) && error.status !== undefined && error.status >= 400 && error.status < 500 && error.status !== 429;
}

/** The drop reason of a refused value: stable (counted by it), the API's own text goes to the log. */
const rejectionReason = (status: number | undefined): string => `rejected by Mackerel (HTTP ${status ?? '4xx'})`;

/** Splits values by host id, keeping the order within each host. */
function byHost(values: readonly MetricValue[]): MetricValue[][] {
  const groups = new Map<string, MetricValue[]>();
  for (const v of values) {
    const g = groups.get(v.hostId);
    if (g) g.push(v);
    else groups.set(v.hostId, [v]);
  }
  return [...groups.values()];
}

interface BatchResult {
  posted: number;
  /** Not sent or not accepted for a reason that may pass: re-queued in input order. */
  unposted: MetricValue[];
  rejected: { value: MetricValue; reason: string }[];
  rejectedHosts: string[];
  failures: { values: number; error: MackerelFailure }[];
}

/**
 * Posts metric values in batches, value by value as to outcome:
 * - accepted values count as posted;
 * - a batch refused with a 4xx is split (by host, then three probe values per host, then in halves) until the
 *   refused values are isolated: those are dropped and counted by reason, the rest posted. A host whose three
 *   probes are all refused is taken as refused whole (a retired host id) and reported in `rejectedHosts`;
 * - a batch that fails for a reason that may pass (5xx after retries, network, timeout, an unreadable 200, the
 *   cycle's deadline) goes back on the retry queue, in order;
 * - 401/403 stops the cycle: every value not yet accepted goes back on the queue first, then the error is thrown.
 */
export async function postValues(
  values: readonly MetricValue[],
  deps: { mackerel: MackerelPort; state: CollectorState; logger: Logger; signal?: AbortSignal },
): Promise<PostOutcome> {
  const batches = chunk(values, MAX_METRICS_PER_POST);
  let critical: MackerelFailure | undefined;
  let splitBudget = MAX_SPLIT_REQUESTS;

  const send = async (batch: MetricValue[], out: BatchResult, isolate: boolean): Promise<void> => {
    if (critical !== undefined) {
      out.unposted.push(...batch);
      return;
    }
    const r = await deps.mackerel.postMetrics(batch, deps.signal);
    if (r.ok) {
      out.posted += batch.length;
      return;
    }
    if (r.error instanceof CriticalError) {
      critical ??= r.error;
      out.unposted.push(...batch);
      return;
    }
    if (!isRejection(r.error)) {
      out.unposted.push(...batch);
      out.failures.push({ values: batch.length, error: r.error });
      return;
    }
    if (batch.length === 1 || !isolate) {
      for (const value of batch) out.rejected.push({ value, reason: rejectionReason(r.error.status) });
      deps.logger.warn('metric values rejected', { values: batch.length, status: r.error.status, reason: r.error.message, hostId: batch[0]?.hostId });
      return;
    }
    await isolateRejected(batch, out, r.error);
  };

  /** Splits a refused batch; each sub-request spends the cycle's split budget. */
  const isolateRejected = async (batch: MetricValue[], out: BatchResult, error: MackerelFailure): Promise<void> => {
    const hosts = byHost(batch);
    if (hosts.length > 1) {
      for (const group of hosts) await spend(group, out, error, true);
      return;
    }
    // One host: probe its first, middle and last values. All refused → the host itself is refused (a retired
    // host id: the common case, settled in three requests); otherwise bisect what is left.
    const probes = [...new Set([0, Math.floor((batch.length - 1) / 2), batch.length - 1])];
    let refused = 0;
    for (const i of probes) {
      const before = out.rejected.length;
      await spend([batch[i] as MetricValue], out, error, false);
      if (out.rejected.length > before) refused++;
    }
    const rest = batch.filter((_, i) => !probes.includes(i));
    const hostId = batch[0]?.hostId;
    if (refused === probes.length && hostId !== undefined) {
      for (const value of rest) out.rejected.push({ value, reason: rejectionReason(error.status) });
      out.rejectedHosts.push(hostId);
      return;
    }
    const mid = Math.ceil(rest.length / 2);
    for (const half of [rest.slice(0, mid), rest.slice(mid)]) if (half.length > 0) await spend(half, out, error, true);
  };

  const spend = async (part: MetricValue[], out: BatchResult, error: MackerelFailure, isolate: boolean): Promise<void> => {
    if (splitBudget <= 0) {
      // Counted and logged, never silent; not re-queued, or the same refused values would block every cycle.
      for (const value of part) out.rejected.push({ value, reason: `${rejectionReason(error.status)}, not isolated within ${MAX_SPLIT_REQUESTS} split requests` });
      return;
    }
    splitBudget--;
    await send(part, out, isolate);
  };

  const results = await mapLimit(batches, POST_CONCURRENCY, async (batch) => {
    const out: BatchResult = { posted: 0, unposted: [], rejected: [], rejectedHosts: [], failures: [] };
    await send(batch, out, true);
    return out;
  });

  let posted = 0;
  const unposted: MetricValue[] = [];
  const rejected: Record<string, number> = {};
  const rejectedHosts = new Set<string>();
  const failed: Issue[] = [];
  results.forEach((r, i) => {
    posted += r.posted;
    unposted.push(...r.unposted);
    for (const x of r.rejected) rejected[x.reason] = (rejected[x.reason] ?? 0) + 1;
    for (const h of r.rejectedHosts) rejectedHosts.add(h);
    for (const f of r.failures) {
      const label = `tsdb batch ${i + 1}/${batches.length}`;
      const reason = `${f.error.message} (${f.values} values queued for the next cycle)`;
      deps.logger.warn('metric batch failed', { batch: label, values: f.values, reason, errorName: f.error.name });
      failed.push({ target: label, reason, stage: 'post', kind: errorKind(f.error) });
    }
  });
  const capped = deps.state.retryQueue.enqueue(unposted);
  if (capped > 0) deps.logger.warn('retry queue over its cap', { dropped: capped, queued: deps.state.retryQueue.length, bytes: deps.state.retryQueue.bytes });
  if (critical !== undefined) {
    deps.logger.error('mackerel rejected the API key; values kept on the retry queue', { queued: deps.state.retryQueue.length, reason: critical.message });
    throw critical;
  }
  return { posted, failed, queued: unposted.length, rejected, rejectedHosts: [...rejectedHosts] };
}

/** The graph definitions of this cycle that were never posted by this container, or not for a few hours. */
export function dueGraphDefs(
  produced: readonly { prefix: string; meta: GraphMeta }[],
  state: CollectorState,
  nowMs: number,
): GraphDef[] {
  const byPrefix = new Map<string, GraphMeta[]>();
  for (const { prefix, meta } of produced) {
    const list = byPrefix.get(prefix) ?? [];
    list.push(meta);
    byPrefix.set(prefix, list);
  }
  const due: GraphDef[] = [];
  for (const [prefix, metas] of byPrefix) {
    for (const def of graphDefinitions(prefix, metas)) {
      const last = state.graphDefsPostedAt.get(def.name);
      if (last === undefined || nowMs - last >= GRAPH_DEFS_REFRESH_MS) due.push(def);
    }
  }
  return due;
}

/** Posts graph definitions and remembers when; failures are reported, retried next cycle. */
export async function postGraphDefs(
  defs: readonly GraphDef[],
  deps: { mackerel: MackerelPort; state: CollectorState; logger: Logger; nowMs: number; signal?: AbortSignal },
): Promise<{ posted: number; failed: Issue[] }> {
  let posted = 0;
  const failed: Issue[] = [];
  for (const batch of chunk(defs, GRAPH_DEFS_PER_POST)) {
    const r = await deps.mackerel.postGraphDefs(batch, deps.signal);
    if (r.ok) {
      posted += batch.length;
      for (const d of batch) deps.state.graphDefsPostedAt.set(d.name, deps.nowMs);
      continue;
    }
    if (r.error instanceof CriticalError) throw r.error;
    deps.logger.warn('graph definitions failed', { count: batch.length, reason: r.error.message, errorName: r.error.name });
    failed.push({ target: `graph-defs (${batch.length})`, reason: r.error.message, stage: 'post', kind: errorKind(r.error) });
  }
  return { posted, failed };
}
