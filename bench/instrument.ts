/**
 * Phase timing without touching src/: the ports of CollectorDeps are wrapped so that their first and last calls
 * are timed. collect() runs its stages in order (discover → resolve hosts → scrape+parse → post values → post
 * graph definitions), so those marks split the cycle's wall time into phases.
 */
import { performance } from 'node:perf_hooks';
import type { CollectorDeps } from '../src/pipeline/collect';

/** Milliseconds spent per phase of one cycle (0 where the phase made no call). */
export interface PhaseTimes {
  /** ListTasks pages, sequential (each page needs the previous page's nextToken). */
  readonly listTasksMs: number;
  /** DescribeTasks, DescribeTaskDefinition, DescribeContainerInstances, DescribeInstances and target resolution. */
  readonly describeMs: number;
  /** Mackerel host lookups (`GET /api/v0/hosts?customIdentifier=…`, cached after the first cycle). */
  readonly hostsMs: number;
  /** HTTP GET of every target; parsing happens inside, as each body arrives. */
  readonly scrapeMs: number;
  /** CPU time of parsing and naming, summed over targets (part of scrapeMs). */
  readonly parseCpuMs: number;
  /** Event-loop utilisation during the scrape phase: near 1 means CPU-bound, not waiting on targets. */
  readonly scrapeElu: number;
  /** POST /api/v0/tsdb batches. */
  readonly postValuesMs: number;
  /** POST /api/v0/graph-defs/create. */
  readonly postGraphDefsMs: number;
}

interface Span {
  start?: number;
  end?: number;
}

const touch = (s: Span, at: number, edge: 'start' | 'end'): void => {
  if (edge === 'start') s.start ??= at;
  else s.end = at;
};

const length = (s: Span): number => (s.start !== undefined && s.end !== undefined ? s.end - s.start : 0);

/** Wraps `deps` for one cycle; call `phases()` after collect() resolved. */
export function instrument(deps: CollectorDeps): { deps: CollectorDeps; phases(): PhaseTimes } {
  const list: Span = {};
  const hosts: Span = {};
  const fetch: Span = {};
  const values: Span = {};
  const defs: Span = {};
  let parseCpuMs = 0;
  let scrapeElu = 0;
  const { hosts: hostLookup, mackerel } = deps;

  const timed = async <T>(span: Span, run: () => Promise<T>): Promise<T> => {
    touch(span, performance.now(), 'start');
    try {
      return await run();
    } finally {
      touch(span, performance.now(), 'end');
    }
  };

  const wrapped: CollectorDeps = {
    ...deps,
    ecs: { ...deps.ecs, listTaskArns: (cluster, signal) => timed(list, () => deps.ecs.listTaskArns(cluster, signal)) },
    hosts: hostLookup && { resolve: (id, signal) => timed(hosts, () => hostLookup.resolve(id, signal)) },
    fetcher: {
      close: () => deps.fetcher.close(),
      fetchEach: (targets, onResult, signal) => {
        const elu0 = performance.eventLoopUtilization();
        // Awaited: the parse is async (it yields to the event loop on large bodies) and the fetcher keeps the
        // body's bytes reserved until it returns. Wall time of the callback; the same as its CPU for bodies
        // under 512 lines, which never pause.
        const parseTimed: typeof onResult = async (target, result) => {
          const started = performance.now();
          await onResult(target, result);
          parseCpuMs += performance.now() - started;
        };
        return timed(fetch, () => deps.fetcher.fetchEach(targets, parseTimed, signal)).finally(() => {
          scrapeElu = performance.eventLoopUtilization(elu0).utilization;
        });
      },
    },
    mackerel: mackerel && {
      ...mackerel,
      postMetrics: (batch, signal) => timed(values, () => mackerel.postMetrics(batch, signal)),
      postGraphDefs: (batch, signal) => timed(defs, () => mackerel.postGraphDefs(batch, signal)),
    },
  };

  return {
    deps: wrapped,
    phases: () => {
      const discoveryEnd = hosts.start ?? fetch.start ?? list.end ?? 0;
      return {
        listTasksMs: length(list),
        describeMs: list.end !== undefined ? Math.max(0, discoveryEnd - list.end) : 0,
        hostsMs: hosts.start !== undefined && fetch.start !== undefined ? fetch.start - hosts.start : 0,
        scrapeMs: length(fetch),
        parseCpuMs,
        scrapeElu,
        postValuesMs: length(values),
        postGraphDefsMs: length(defs),
      };
    },
  };
}
