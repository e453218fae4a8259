import type { CounterPoint, CounterStore } from '../../src/types';

/** A CounterStore on a Map, with the map exposed so tests can look at the baselines. */
export function memoryCounters(): CounterStore & { readonly map: Map<string, CounterPoint> } {
  const map = new Map<string, CounterPoint>();
  return { map, get: (k) => map.get(k), set: (k, p) => void map.set(k, p) };
}
