import { Counter, Gauge, Histogram, Registry, Summary } from 'prom-client';
import { startServer, type LoopbackServer } from '../scrape/loopbackServer';

/** fukata/golang-stats-api-handler's body (reference/mackerel-api.md §10): numbers, strings and an array. */
export type GostatsBody = Record<string, number | string | number[]>;

/** The sample `/api/stats` body of reference/mackerel-api.md §10. */
export function gostatsBody(overrides: Readonly<Record<string, number>> = {}): GostatsBody {
  return {
    time: 1767225600123456768, // ns; §10 has ...789, which a double cannot hold
    go_version: 'go1.22.5',
    go_os: 'linux',
    go_arch: 'amd64',
    cpu_num: 2,
    goroutine_num: 42,
    gomaxprocs: 2,
    cgo_call_num: 1,
    memory_alloc: 8421376,
    memory_total_alloc: 1843253248,
    memory_sys: 25769992,
    memory_lookups: 0,
    memory_mallocs: 20391245,
    memory_frees: 20350112,
    memory_stack: 983040,
    heap_alloc: 8421376,
    heap_sys: 15958016,
    heap_idle: 5341184,
    heap_inuse: 10616832,
    heap_released: 3899392,
    heap_objects: 41133,
    gc_next: 12582912,
    gc_last: 1767225598871234560,
    gc_num: 1532,
    gc_per_second: 0.2,
    gc_pause_per_second: 0.41,
    gc_pause: [0.21, 0.2],
    ...overrides,
  };
}

/** A gostats endpoint whose body the test can change between scrapes. */
export interface GostatsService {
  readonly server: LoopbackServer;
  stats: GostatsBody;
  body(): string;
}

/** Serves `stats` as JSON on every path, like the handler mounted at /api/stats. */
export async function startGostats(overrides: Readonly<Record<string, number>> = {}): Promise<GostatsService> {
  const service = {
    stats: gostatsBody(overrides),
    body: () => JSON.stringify(service.stats),
  };
  const server = await startServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(service.body());
  });
  return Object.assign(service, { server });
}

/** A prom-client instrumented service: labelled counter, byte counter, gauges, histogram and summary. */
export function promService() {
  const registry = new Registry();
  const requests = new Counter({ name: 'http_requests_total', help: 'Requests', labelNames: ['method', 'code'], registers: [registry] });
  const sent = new Counter({ name: 'sent_bytes_total', help: 'Bytes sent', registers: [registry] });
  const queue = new Gauge({ name: 'queue_depth', help: 'Queue depth', labelNames: ['queue'], registers: [registry] });
  const temp = new Gauge({ name: 'temperature', help: 'Unlabelled gauge', registers: [registry] });
  const latency = new Histogram({ name: 'http_request_duration_seconds', help: 'Latency', labelNames: ['route'], buckets: [0.1, 1], registers: [registry] });
  const size = new Summary({ name: 'response_size_bytes', help: 'Size', labelNames: ['route'], percentiles: [0.5, 0.99], registers: [registry] });
  requests.inc({ method: 'GET', code: '200' }, 100);
  requests.inc({ method: 'POST', code: '500' }, 4);
  sent.inc(1000);
  queue.set({ queue: 'mail' }, 7);
  queue.set({ queue: 'sms' }, 0);
  temp.set(21.5);
  latency.observe({ route: '/a' }, 0.5);
  size.observe({ route: '/a' }, 200);
  return { registry, requests, sent, queue, temp, latency, size };
}

/** Serves a registry's text exposition (what `GET /metrics` of a prom-client app returns). */
export async function startProm(registry: Registry, path = '/metrics'): Promise<LoopbackServer> {
  return startServer((req, res) => {
    if (req.url !== path) {
      res.statusCode = 404;
      res.end('not found');
      return;
    }
    res.setHeader('content-type', registry.contentType);
    void registry.metrics().then((text) => res.end(text));
  });
}

/** Serves a fixed body with 200. */
export async function startText(body: string): Promise<LoopbackServer> {
  return startServer((_req, res) => res.end(body));
}
