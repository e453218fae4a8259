import type { CounterStore } from '../types';
import { DROP, type DropTally } from './drops';

/** go-mackerel-plugin refuses to diff over a longer gap ("too long duration"). */
export const MAX_DIFF_GAP_S = 600;

/**
 * A per-minute diff as mackerel-plugin-gostats posts it (go-mackerel-plugin `calcDiff`):
 * `(cur - prev) * 60 / elapsed`, elapsed in whole seconds. Returns undefined when nothing is posted:
 * the first sample only sets the baseline; elapsed <= 0 keeps the old baseline (the plugin's "state was
 * recently updated"); a gap over 600 s re-baselines. A decrease (counter reset) posts 0, as the plugin does.
 */
export function perMinuteDiff(store: CounterStore, key: string, value: number, now: number, drops: DropTally): number | undefined {
  const prev = store.get(key);
  if (prev === undefined) {
    store.set(key, { value, time: now });
    drops.add(DROP.baseline);
    return undefined;
  }
  const elapsed = Math.floor(now) - Math.floor(prev.time);
  if (elapsed <= 0) {
    drops.add(DROP.tooSoon);
    return undefined;
  }
  store.set(key, { value, time: now });
  if (elapsed > MAX_DIFF_GAP_S) {
    // The real plugin logs "too long duration" and prints 0; a false zero after an outage reads as an idle
    // service, so we post nothing instead (the brief's rule) and start again from this sample.
    drops.add(DROP.gap);
    return undefined;
  }
  if (value < prev.value) return 0;
  return ((value - prev.value) * 60) / elapsed;
}

/**
 * A per-second rate of a Prometheus counter. The first sample sets the baseline and a decrease (the process
 * restarted) re-baselines: neither posts anything, so a restart never shows as a spike or a negative rate.
 */
export function perSecondRate(store: CounterStore, key: string, value: number, now: number, drops: DropTally): number | undefined {
  const prev = store.get(key);
  if (prev === undefined) {
    store.set(key, { value, time: now });
    drops.add(DROP.baseline);
    return undefined;
  }
  const elapsed = now - prev.time;
  if (elapsed <= 0) {
    drops.add(DROP.tooSoon);
    return undefined;
  }
  store.set(key, { value, time: now });
  if (value < prev.value) {
    drops.add(DROP.reset);
    return undefined;
  }
  return (value - prev.value) / elapsed;
}
