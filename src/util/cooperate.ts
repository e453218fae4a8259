import { performance } from 'node:perf_hooks';

/**
 * Longest stretch of CPU-bound work (parsing large bodies) between two turns of the event loop, summed over
 * every such computation in the process. Timers (per-scrape and cycle deadlines) and sockets wait at most
 * about this long. A yield costs a few microseconds, so 10 ms slices keep the overhead well under 1%.
 */
export const SLICE_MS = 10;

// One slice for the whole process, not one per computation: 200 parses that each ran their own 10 ms slice
// would all run inside one check phase of the loop (setImmediate callbacks queued before it run together),
// and a timer would wait 2 s. `slice` counts slices; `sliceEndsAt` is when the current one ends.
let slice = 0;
let sliceEndsAt = 0;

/** True once the current slice is used up: the caller should `await yieldSlice()` before going on. */
export function sliceIsOver(): boolean {
  return performance.now() >= sliceEndsAt;
}

/**
 * Lets timers and I/O run (one turn of the event loop through `setImmediate`), then returns when the caller
 * may work again. The first computation back after a turn opens a new slice; the others that were waiting
 * share it while it lasts and otherwise wait another turn, so the slices of all of them add up to about one
 * {@link SLICE_MS} per turn of the loop.
 */
export async function yieldSlice(): Promise<void> {
  for (;;) {
    const seen = slice;
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (slice === seen) {
      // Nobody opened a slice since we left: a fresh turn of the loop.
      slice++;
      sliceEndsAt = performance.now() + SLICE_MS;
      return;
    }
    if (!sliceIsOver()) return;
  }
}
