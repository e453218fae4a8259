import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startMackerelReceiver, type MackerelReceiver } from '../../sim/mackerelReceiver';
import { createMackerelClient } from '../../src/mackerel/client';
import { MackerelAuthError } from '../../src/mackerel/errors';
import { MAX_SPLIT_REQUESTS, postValues } from '../../src/pipeline/post';
import { createCollectorState } from '../../src/pipeline/state';
import type { MetricValue } from '../../src/types';
import { memoryLogger } from './fakes';

const KEY = 'post-test-key';
const HEALTHY = ['i-0a1000000000000a1', 'i-0a1000000000000a2', 'i-0a1000000000000a3'];
const RETIRED = 'i-0a1000000000000ff';

/** `n` values per host, interleaved host by host the way a cycle's targets produce them. */
function valuesFor(hostIds: readonly string[], n: number, nowS: number): MetricValue[] {
  const out: MetricValue[] = [];
  for (let i = 0; i < n; i++) for (const hostId of hostIds) out.push({ hostId, name: `custom.gostats.api-${i}.runtime.goroutine_num`, time: nowS, value: i });
  return out;
}

const tsdbRequests = (r: MackerelReceiver): number => r.requests().filter((q) => q.path.startsWith('/api/v0/tsdb')).length;

describe('postValues against a Mackerel-compatible receiver', () => {
  let receiver: MackerelReceiver;
  const hostIds: Record<string, string> = {};
  const nowS = (): number => Math.floor(Date.now() / 1000);
  const client = (apiKey = KEY) => createMackerelClient({ apiKey, baseUrl: receiver.url, baseDelayMs: 1, maxDelayMs: 5 });

  beforeAll(async () => {
    receiver = await startMackerelReceiver({ apiKey: KEY });
    for (const [i, id] of [...HEALTHY, RETIRED].entries()) hostIds[id] = receiver.addHost(id, `127.0.1.${i + 1}`).id;
    receiver.retireHost(RETIRED);
  });
  afterAll(() => receiver.close());
  beforeEach(() => receiver.reset());

  it('posts every healthy host value when one host of the batch is retired, and drops only the retired host values', async () => {
    // Prepare: 4 hosts × 600 values = 3 batches of 1,000, each mixing the retired host in.
    const values = valuesFor([...HEALTHY, RETIRED].map((i) => hostIds[i] as string), 600, nowS());
    const state = createCollectorState();

    // Act
    const out = await postValues(values, { mackerel: client(), state, logger: memoryLogger() });

    // Assess
    const healthy = values.filter((v) => v.hostId !== hostIds[RETIRED]);
    expect(out.posted).toBe(healthy.length);
    expect(receiver.posted()).toHaveLength(healthy.length);
    expect(out.rejected).toEqual({ 'rejected by Mackerel (HTTP 400)': 600 });
    expect(out.rejectedHosts).toEqual([hostIds[RETIRED]]);
    expect(state.retryQueue.length).toBe(0);
    // Per refused batch: the batch, one per host group, and three probes of the retired host's group.
    expect(tsdbRequests(receiver)).toBeLessThanOrEqual(3 * (1 + 4 + 3));
  });

  it('isolates one refused value in a batch of a single host and posts the other 999', async () => {
    // Prepare
    const values = valuesFor([hostIds[HEALTHY[0] as string] as string], 1000, nowS());
    values[617] = { ...(values[617] as MetricValue), name: 'custom.bad name' };
    const state = createCollectorState();

    // Act
    const out = await postValues(values, { mackerel: client(), state, logger: memoryLogger() });

    // Assess
    expect(out.posted).toBe(999);
    expect(receiver.posted().some((v) => v.name === 'custom.bad name')).toBe(false);
    expect(out.rejected).toEqual({ 'rejected by Mackerel (HTTP 400)': 1 });
    expect(out.rejectedHosts).toEqual([]);
    expect(tsdbRequests(receiver)).toBeLessThan(60);
  });

  it('counts refused values it could not isolate within the split budget instead of sending forever', async () => {
    // Prepare: every other value refused, so isolating them all would need thousands of requests.
    const values = valuesFor([hostIds[HEALTHY[1] as string] as string], 3000, nowS()).map((v, i) => (i % 2 === 1 ? { ...v, name: `custom.bad ${i}` } : v));
    const state = createCollectorState();

    // Act
    const out = await postValues(values, { mackerel: client(), state, logger: memoryLogger() });

    // Assess
    const rejected = Object.values(out.rejected).reduce((a, b) => a + b, 0);
    expect(out.posted + rejected).toBe(values.length);
    expect(Object.keys(out.rejected).some((r) => r.includes(`not isolated within ${MAX_SPLIT_REQUESTS} split requests`))).toBe(true);
    expect(tsdbRequests(receiver)).toBeLessThanOrEqual(3 + MAX_SPLIT_REQUESTS);
  });

  it('keeps every value on the retry queue, in order, when Mackerel refuses the API key', async () => {
    // Prepare
    const values = valuesFor(HEALTHY.map((i) => hostIds[i] as string), 700, nowS());
    const state = createCollectorState();
    state.retryQueue.enqueue([]);

    // Act
    const outcome = postValues(values, { mackerel: client('wrong-key'), state, logger: memoryLogger() });

    // Assess
    await expect(outcome).rejects.toBeInstanceOf(MackerelAuthError);
    expect(state.retryQueue.length).toBe(values.length);
    expect(state.retryQueue.drain(nowS()).values).toEqual(values);
  });

  it('queues a batch a 5xx outage refused, and posts it once Mackerel is back', async () => {
    // Prepare
    const values = valuesFor(HEALTHY.map((i) => hostIds[i] as string), 10, nowS());
    const state = createCollectorState();
    receiver.failNext('/api/v0/tsdb', 503, 100);

    // Act
    const during = await postValues(values, { mackerel: client(), state, logger: memoryLogger() });
    receiver.reset();
    const after = await postValues(state.retryQueue.drain(nowS()).values, { mackerel: client(), state, logger: memoryLogger() });

    // Assess
    expect(during).toMatchObject({ posted: 0, queued: values.length });
    expect(during.failed[0]?.reason).toMatch(/HTTP 503.*30 values queued for the next cycle/);
    expect(after.posted).toBe(values.length);
    expect(receiver.posted()).toEqual(values);
  });
});

describe('postValues against a server answering 200 with something other than Mackerel JSON', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>proxy login</html>'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('does not count the values as posted and keeps them on the retry queue', async () => {
    // Prepare
    const values = valuesFor(['3kHxYz12aBc'], 5, Math.floor(Date.now() / 1000));
    const state = createCollectorState();

    // Act
    const out = await postValues(values, { mackerel: createMackerelClient({ apiKey: KEY, baseUrl: url }), state, logger: memoryLogger() });

    // Assess
    expect(out).toMatchObject({ posted: 0, queued: 5, rejected: {} });
    expect(out.failed[0]?.reason).toMatch(/expected \{"success":true\}, got 24 characters that are not JSON/);
    expect(state.retryQueue.length).toBe(5);
  });
});
