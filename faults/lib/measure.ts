/**
 * What a row reports besides the verdict: peak RSS (sampled; the simulator shares the process, so this is an
 * upper bound of the collector's own), the event loop's longest stall, and the value counts.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { MetricValue } from '../../src/types';

const MIB = 1024 * 1024;

/** Samples RSS every 20 ms and the event-loop delay until `stop()`. */
export function startMeters(): { stop(): { peakRssMiB: number; maxLoopDelayMs: number; baseRssMiB: number } } {
  const baseRssMiB = Math.round(process.memoryUsage.rss() / MIB);
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 20);
  timer.unref();
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  return {
    stop: () => {
      clearInterval(timer);
      loop.disable();
      peak = Math.max(peak, process.memoryUsage.rss());
      return { peakRssMiB: Math.round(peak / MIB), maxLoopDelayMs: Math.round(loop.max / 1e6), baseRssMiB };
    },
  };
}

/** The identity of a value at the receiver: Mackerel keeps one point per (host, name, time). */
export const identity = (v: Pick<MetricValue, 'hostId' | 'name' | 'time'>): string => `${v.hostId}\t${v.name}\t${v.time}`;

/** The counts of one row. */
export interface ValueCounts {
  readonly produced: number;
  readonly accepted: number;
  readonly lost: number;
  readonly duplicated: number;
}

/**
 * How values are counted, by identity (hostId, name, time):
 * - produced: the distinct values the collector generated that Mackerel should accept. Two lower bounds of it
 *   are known: the distinct values seen in any `POST /api/v0/tsdb` body at the fault proxy (every attempt,
 *   failed or forwarded, first try or retry), and the sum of `samples` (new values per cycle; cycles are a fake
 *   minute apart, so no two cycles share an identity) over the cycles that returned a summary. The larger is
 *   reported. Values a scenario declares undeliverable (`excluded`, e.g. for a retired host) are left out.
 * - accepted: distinct values the receiver stored (it validates like Mackerel and stores only on 200).
 * - lost = produced − accepted; duplicated: values stored more than once.
 */
export function countValues(
  sent: readonly MetricValue[],
  stored: readonly MetricValue[],
  generated: number,
  excluded: (v: MetricValue) => boolean = () => false,
): ValueCounts & { excludedSent: number } {
  const sentIds = new Set<string>();
  const excludedIds = new Set<string>();
  for (const v of sent) (excluded(v) ? excludedIds : sentIds).add(identity(v));
  const storedCount = new Map<string, number>();
  for (const v of stored) if (!excluded(v)) storedCount.set(identity(v), (storedCount.get(identity(v)) ?? 0) + 1);
  for (const id of storedCount.keys()) sentIds.add(id);
  const produced = Math.max(sentIds.size, generated - excludedIds.size);
  const accepted = storedCount.size;
  const duplicated = [...storedCount.values()].filter((n) => n > 1).length;
  return { produced, accepted, lost: Math.max(0, produced - accepted), duplicated, excludedSent: excludedIds.size };
}
