/**
 * File-descriptor budget. Every simulated task with a live endpoint holds one listening socket, and each
 * scrape briefly holds two more (client and server side, in the same process when the collector runs
 * in-process). The simulator never raises the limit; it refuses to start a scenario that cannot fit.
 * On the development machine `ulimit -n` is 20000 (soft = hard), so 10,000 tasks leave about 10,000
 * descriptors for connections: enough for a scrape concurrency in the hundreds with 2 s keep-alive.
 */
import { readFileSync } from 'node:fs';

/** Descriptors kept free for AWS/Mackerel connections, scrapes, stdio and node itself. */
export const FD_HEADROOM = 1024;

/** The soft `Max open files` of this process, or undefined where /proc is unavailable (non-Linux). */
export function openFilesLimit(): number | undefined {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const soft = line?.split(/\s{2,}/)[1];
    if (!soft || soft === 'unlimited') return undefined;
    const n = Number(soft);
    return Number.isFinite(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

/** Throws a message naming the limit when `listeners` sockets plus headroom exceed it. */
export function assertFdBudget(listeners: number, limit = openFilesLimit()): void {
  if (limit === undefined || listeners + FD_HEADROOM <= limit) return;
  throw new Error(
    `simulation needs ${listeners} listening sockets plus ${FD_HEADROOM} spare descriptors, ` +
      `but the open-files limit is ${limit} (ulimit -n); use fewer tasks or raise the limit yourself`,
  );
}
