import { CriticalError } from '../errors';
import { chunk, MAX_METRICS_PER_POST } from '../mackerel/batch';
import type { MackerelPort } from '../mackerel/client';
import { graphDefinitions } from '../mackerel/graphDefs';
import type { GraphMeta } from '../parse';
import type { Logger } from '../log';
import { mapLimit } from '../util/mapLimit';
import type { GraphDef, Issue, MetricValue } from '../types';
import { enqueueRetry, GRAPH_DEFS_REFRESH_MS, type CollectorState } from './state';

/** Concurrent POST /api/v0/tsdb requests. Mackerel documents no general rate limit; stay modest. */
export const POST_CONCURRENCY = 8;
/** Graph definitions per POST /api/v0/graph-defs/create request. */
export const GRAPH_DEFS_PER_POST = 100;

/** What posting achieved. */
export interface PostOutcome {
  readonly posted: number;
  readonly failed: Issue[];
  readonly queued: number;
}

/**
 * Posts metric values in batches. A failed batch is reported and its values queued for the next cycle; a
 * critical error (401/403) is thrown so the cycle stops.
 */
export async function postValues(
  values: readonly MetricValue[],
  deps: { mackerel: MackerelPort; state: CollectorState; logger: Logger; signal?: AbortSignal },
): Promise<PostOutcome> {
  const batches = chunk(values, MAX_METRICS_PER_POST);
  const results = await mapLimit(batches, POST_CONCURRENCY, (batch) => deps.mackerel.postMetrics(batch, deps.signal));
  let posted = 0;
  let queued = 0;
  const failed: Issue[] = [];
  results.forEach((r, i) => {
    const batch = batches[i] ?? [];
    if (r.ok) {
      posted += batch.length;
      return;
    }
    if (r.error instanceof CriticalError) throw r.error;
    enqueueRetry(deps.state, batch);
    queued += batch.length;
    const label = `tsdb batch ${i + 1}/${batches.length}`;
    const reason = `${r.error.message} (${batch.length} values queued for the next cycle)`;
    deps.logger.warn('metric batch failed', { batch: label, values: batch.length, reason, errorName: r.error.name });
    failed.push({ target: label, reason });
  });
  return { posted, failed, queued };
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
    failed.push({ target: `graph-defs (${batch.length})`, reason: r.error.message });
  }
  return { posted, failed };
}
