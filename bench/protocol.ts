/**
 * What the benchmark's main process and its per-size child exchange (over the fork IPC channel), and how the
 * simulator's counters are read. Shared by both sides, so it imports nothing that starts anything.
 */
import type { Simulation } from '../sim';
import type { SimPlacement } from './args';
import type { PhaseTimes } from './instrument';

/** One run: a size at a concurrency, in one fresh child process. */
export interface ChildJob {
  readonly size: number;
  readonly concurrency: number;
  readonly tasksPerInstance: number;
  readonly awsLatencyMs: number;
  readonly targetLatencyMs: number;
  /** Delay added in front of every Mackerel API request (0 = the receiver answers directly). */
  readonly mackerelLatencyMs: number;
  readonly sim: SimPlacement;
}

/** What the simulator saw during one cycle. */
export interface SimCounters {
  /** AWS calls per action, e.g. `{"ecs:ListTasks": 100}`. */
  readonly aws: Readonly<Record<string, number>>;
  readonly tsdbPosts: number;
  readonly graphDefPosts: number;
  /** `GET /api/v0/hosts` (host lookups by custom identifier). */
  readonly hostLookups: number;
  /** Mackerel requests answered 4xx/5xx or not at all. */
  readonly mackerelErrors: number;
  /** Metric values the receiver accepted. */
  readonly valuesReceived: number;
  /** Event-loop utilisation of the simulator's process over the cycle; absent when it is the collector's own. */
  readonly simElu?: number;
}

/** Reads the counters since the last `resetSimCounters`. */
export function readSimCounters(sim: Simulation): SimCounters {
  const requests = sim.receiver.requests();
  const count = (method: string, prefix: string): number =>
    requests.filter((r) => r.method === method && r.path.startsWith(prefix)).length;
  return {
    aws: sim.calls(),
    tsdbPosts: count('POST', '/api/v0/tsdb'),
    graphDefPosts: count('POST', '/api/v0/graph-defs'),
    hostLookups: count('GET', '/api/v0/hosts'),
    mackerelErrors: requests.filter((r) => r.status === 0 || r.status >= 400).length,
    valuesReceived: sim.receiver.posted().length,
  };
}

/** Zeroes AWS call counts and the receiver's recordings (its hosts stay). */
export function resetSimCounters(sim: Simulation): void {
  sim.resetCalls();
  sim.receiver.reset();
}

/** One measured collection cycle. Times in milliseconds, memory in MiB. */
export interface CycleResult {
  readonly label: 'cold' | 'warm';
  readonly wallMs: number;
  readonly phases: PhaseTimes;
  readonly targets: number;
  readonly scraped: number;
  readonly failed: number;
  readonly skipped: number;
  /** Up to three distinct failure reasons, to tell timeouts from refusals at a glance. */
  readonly failureSamples: readonly string[];
  readonly samples: number;
  readonly posted: number;
  readonly graphDefs: number;
  readonly bytesScraped: number;
  /** User + system CPU of the child process during the cycle. */
  readonly cpuMs: number;
  /** Event-loop utilisation during the cycle (1 = the loop never waited). */
  readonly elu: number;
  readonly rssStartMb: number;
  /** Highest RSS sampled every 20 ms during the cycle. */
  readonly rssPeakMb: number;
  /** V8 heap in use when the cycle ended (before any forced GC). */
  readonly heapEndMb: number;
  readonly sim: SimCounters;
}

/** Everything one child reports. */
export interface RunResult {
  readonly job: ChildJob;
  readonly instances: number;
  readonly cycles: readonly CycleResult[];
  /** `process.resourceUsage().maxRSS` of the child at the end: its lifetime peak. */
  readonly maxRssMb: number;
  /** Set when the run did not complete. */
  readonly error?: string;
}

/** Child → main. */
export type ChildMessage =
  | { readonly type: 'reset'; readonly id: number }
  | { readonly type: 'counters'; readonly id: number }
  | { readonly type: 'done'; readonly result: RunResult }
  | { readonly type: 'failed'; readonly error: string };

/** Main → child: the answer to `reset` / `counters`. */
export interface MainReply {
  readonly id: number;
  readonly counters?: SimCounters;
}
