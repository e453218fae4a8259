import { silentLogger } from '../../src/log';
import { gather, type PlacedTarget } from '../../src/pipeline/gather';
import { createDirectFetcher, type BodyFetcher } from '../../src/scrape/bodyFetcher';
import { parseCidrs } from '../../src/scrape/cidr';
import { createHttpScraper } from '../../src/scrape/httpScraper';
import type { CounterPoint, CounterStore, Target } from '../../src/types';
import { startServer, type LoopbackServer } from '../scrape/loopbackServer';

const KIB = 1024;
const NOW_S = 1767225600;
const HOST = '3kHxYz12aBc';

/** What each path serves: GET /<name>. */
const BODIES: Record<string, string> = {};

/** A Prometheus body of about `bytes`: two gauges, then HELP lines as padding (as real exporters' help text). */
function paddedBody(bytes: number): string {
  const head = '# TYPE up gauge\nup 1\n# TYPE queue_depth gauge\nqueue_depth{queue="mail"} 7\n';
  const help = `# HELP padding ${'p'.repeat(1000)}\n`;
  return head + help.repeat(Math.ceil((bytes - head.length) / help.length));
}

function target(server: LoopbackServer, name: string, i: number): PlacedTarget {
  const taskId = `${String(i).padStart(8, '0')}5b7d4e6f8a9b0c1d2e3f4a5b`;
  const t: Target = {
    id: `test/${taskId}/app:8080`,
    cluster: 'test',
    service: 'api',
    family: 'api',
    revision: 1,
    taskId,
    taskArn: `arn:aws:ecs:us-east-1:111122223333:task/test/${taskId}`,
    containerName: 'app',
    launchType: 'EC2',
    networkMode: 'bridge',
    ec2InstanceId: 'i-0a510000000000001',
    address: server.host,
    port: server.port,
    containerPort: 8080,
    path: `/${name}`,
    format: 'prometheus',
    prefix: 'prometheus',
  };
  return { target: t, hostId: HOST, key: `api-${taskId.slice(0, 8)}` };
}

function counters(): CounterStore {
  const map = new Map<string, CounterPoint>();
  return { get: (k) => map.get(k), set: (k, p) => void map.set(k, p) };
}

let server: LoopbackServer | undefined;
let fetcher: BodyFetcher | undefined;

beforeEach(async () => {
  server = await startServer((req, res) => res.end(BODIES[(req.url ?? '').slice(1)] ?? ''));
});

afterEach(async () => {
  fetcher?.close();
  await server?.close();
});

function directFetcher(maxInflightBytes: number, maxBodyBytes = 4096 * KIB): BodyFetcher {
  const allowed = parseCidrs('127.0.0.0/8');
  if (!allowed.ok) throw new Error(allowed.error);
  fetcher = createDirectFetcher(createHttpScraper({ timeoutMs: 5000, maxBodyBytes, allowedCidrs: allowed.value }), 8, { maxInflightBytes });
  return fetcher;
}

describe('gather within MAX_INFLIGHT_BYTES', () => {
  it('parses and posts every body when the bodies together are four times the budget', async () => {
    // Prepare: eight 256 KiB bodies, a 512 KiB budget
    BODIES.big = paddedBody(256 * KIB);
    const placed = Array.from({ length: 8 }, (_, i) => target(server as LoopbackServer, 'big', i));
    // Act
    const got = await gather(placed, { fetcher: directFetcher(512 * KIB), counters: counters(), logger: silentLogger }, NOW_S);
    // Assess
    expect(got.failed).toEqual([]);
    expect(got.scraped).toBe(8);
    expect(got.bytesScraped).toBe(8 * Buffer.byteLength(BODIES.big));
    expect(got.values.filter((v) => v.name.endsWith('.up.value'))).toHaveLength(8);
  });
});

describe('over-long metric names', () => {
  it('drops them with a counted reason and posts the rest of the body', async () => {
    // Prepare: a 300-character family (parsed, then too long to name) and a 1 MiB one (dropped by the parser)
    BODIES.long = `up 1\n${'f'.repeat(300)} 2\n${'g'.repeat(1024 * KIB)} 3\nqueue_depth{queue="mail"} 7\n`;
    const placed = [target(server as LoopbackServer, 'long', 1)];
    // Act
    const got = await gather(placed, { fetcher: directFetcher(4096 * KIB), counters: counters(), logger: silentLogger }, NOW_S);
    // Assess
    expect(got.values.map((v) => v.name)).toEqual(['custom.prometheus.api-00000001.up.value', 'custom.prometheus.api-00000001.queue_depth.mail']);
    expect(got.dropped).toEqual({ 'metric name too long': 2 });
    expect(got.graphs.map((g) => g.meta.graph)).toEqual(['up', 'queue_depth']);
  });
});
