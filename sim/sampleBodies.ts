/**
 * Metric bodies of the sample services. Values change between requests the way real ones do: counters rise,
 * gauges wander, so the collector's per-minute diffs and per-second rates see movement.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Deterministic per-service pseudo-random numbers (mulberry32), so two services differ but runs repeat. */
export function randomSource(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * golang-stats-api-handler's `/api/stats` JSON (reference mackerel-api.md §10), field for field. Like the
 * handler, `gc_per_second` and `gc_pause_per_second` cover the time since the previous request, and
 * `gc_pause` lists the pauses (ms) in that interval.
 */
export function gostatsSource(seed: number): () => string {
  const rnd = randomSource(seed);
  let last = Date.now();
  let mallocs = 20_000_000 + Math.floor(rnd() * 1_000_000);
  let frees = mallocs - 40_000;
  let gcNum = 1500 + Math.floor(rnd() * 100);
  let cgo = 1;
  let totalAlloc = 1_800_000_000;
  let released = 3_899_392;
  return () => {
    const now = Date.now();
    const elapsedS = Math.max((now - last) / 1000, 0.001);
    last = now;
    const gcs = 1 + Math.floor(rnd() * 3);
    const pauses = Array.from({ length: gcs }, () => Math.round((0.1 + rnd() * 0.3) * 100) / 100);
    gcNum += gcs;
    const newMallocs = 1000 + Math.floor(rnd() * 5000);
    mallocs += newMallocs;
    frees += newMallocs - Math.floor(rnd() * 200);
    totalAlloc += newMallocs * 64;
    cgo += Math.floor(rnd() * 3);
    released += 4096 * Math.floor(rnd() * 4);
    const heapInuse = 10_000_000 + Math.floor(rnd() * 2_000_000);
    const heapSys = 16_000_000;
    const alloc = heapInuse - Math.floor(rnd() * 1_000_000);
    const ns = BigInt(now) * 1_000_000n + BigInt(Math.floor(rnd() * 1_000_000));
    // Built as text: `time` and `gc_last` are int64 nanoseconds, beyond a double's exact range.
    return (
      `{"time":${ns},"go_version":"go1.22.5","go_os":"linux","go_arch":"amd64","cpu_num":2,` +
      `"goroutine_num":${10 + Math.floor(rnd() * 50)},"gomaxprocs":2,"cgo_call_num":${cgo},` +
      `"memory_alloc":${alloc},"memory_total_alloc":${totalAlloc},"memory_sys":25769992,"memory_lookups":0,` +
      `"memory_mallocs":${mallocs},"memory_frees":${frees},"memory_stack":983040,"heap_alloc":${alloc},` +
      `"heap_sys":${heapSys},"heap_idle":${heapSys - heapInuse},"heap_inuse":${heapInuse},"heap_released":${released},` +
      `"heap_objects":${mallocs - frees},"gc_next":12582912,"gc_last":${ns - 1_000_000n},"gc_num":${gcNum},` +
      `"gc_per_second":${round(gcs / elapsedS)},"gc_pause_per_second":${round(sum(pauses) / elapsedS)},` +
      `"gc_pause":[${pauses.join(',')}]}`
    );
  };
}

/**
 * Mackerel plugin text: `name\tvalue\tepoch` per line, names without `custom.` (the agent adds it).
 * Graphs `jobs` (counters `processed`, `failed`) and `queue` (gauges `depth`, `oldest_age_seconds`).
 */
export function pluginTextSource(seed: number): () => string {
  const rnd = randomSource(seed);
  let processed = 1000 + Math.floor(rnd() * 1000);
  let failed = 3;
  return () => {
    const epoch = Math.floor(Date.now() / 1000);
    processed += 10 + Math.floor(rnd() * 90);
    failed += rnd() < 0.3 ? 1 : 0;
    const lines = [
      ['jobs.processed', processed],
      ['jobs.failed', failed],
      ['queue.depth', Math.floor(rnd() * 40)],
      ['queue.oldest_age_seconds', round(rnd() * 12)],
    ];
    return lines.map(([name, value]) => `${name}\t${value}\t${epoch}\n`).join('');
  };
}

/**
 * A prom-client Registry of its own per service (never the global one): a counter with labels, a gauge and
 * a histogram, advanced on every scrape before `registry.metrics()` renders them.
 */
export function prometheusSource(seed: number): { contentType: string; body(): Promise<string> } {
  const rnd = randomSource(seed);
  const registry = new Registry();
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests served.',
    labelNames: ['method', 'code'] as const,
    registers: [registry],
  });
  const inflight = new Gauge({ name: 'http_requests_in_flight', help: 'Requests being served.', registers: [registry] });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Request latency.',
    buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1],
    registers: [registry],
  });
  // Touch every label set once so all series exist from the first scrape.
  requests.inc({ method: 'GET', code: '200' }, 0);
  requests.inc({ method: 'POST', code: '500' }, 0);
  return {
    contentType: registry.contentType,
    body: () => {
      requests.inc({ method: 'GET', code: '200' }, 1 + Math.floor(rnd() * 20));
      requests.inc({ method: 'POST', code: '500' }, Math.floor(rnd() * 2));
      inflight.set(Math.floor(rnd() * 8));
      for (let i = 0; i < 3; i++) duration.observe(rnd() * 0.2);
      return registry.metrics();
    },
  };
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

function sum(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}
