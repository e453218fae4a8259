import { createMackerelClient } from '../../src/mackerel/client';
import { createHostResolver } from '../../src/mackerel/hostResolver';
import { startServer, type LoopbackServer } from '../scrape/loopbackServer';

/** A Mackerel hosts endpoint knowing one instance; `status` forces an answer, `delayMs` slows every answer. */
const api = { status: 200, delayMs: 0 };
let server: LoopbackServer;
beforeEach(async () => {
  api.status = 200;
  api.delayMs = 0;
  server = await startServer((_req, res, recorded) => {
    const id = new URL(recorded.url, 'http://x').searchParams.get('customIdentifier');
    const hosts = id === 'i-0abc123def4567890.ec2.amazonaws.com' ? [{ id: '3Wxyz9AbCdE', status: 'working', isRetired: false }] : [];
    setTimeout(() => {
      res.writeHead(api.status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(api.status === 200 ? { hosts } : { error: { message: 'down' } }));
    }, api.delayMs);
  });
});
afterEach(async () => server.close());

function setUp() {
  const clock = { now: 1_000_000 };
  const port = createMackerelClient({ apiKey: 'test-key', baseUrl: server.baseUrl, maxAttempts: 1 });
  const resolver = createHostResolver(port, { ttlMs: 60_000, negativeTtlMs: 5_000, now: () => clock.now });
  return { clock, resolver };
}

describe('createHostResolver', () => {
  it("resolves an instance to its agent's host through the EC2 custom identifier and caches it", async () => {
    // Prepare
    const { clock, resolver } = setUp();

    // Act
    const first = await resolver.resolve('i-0abc123def4567890');
    clock.now += 59_000;
    const second = await resolver.resolve('i-0abc123def4567890');

    // Assess
    expect(first).toEqual({ ok: true, value: '3Wxyz9AbCdE' });
    expect(second).toEqual(first);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]?.url).toContain('customIdentifier=i-0abc123def4567890.ec2.amazonaws.com&');
  });

  it('asks again once a found host has been cached for its TTL', async () => {
    // Prepare
    const { clock, resolver } = setUp();
    await resolver.resolve('i-0abc123def4567890');

    // Act
    clock.now += 60_001;
    const again = await resolver.resolve('i-0abc123def4567890');

    // Assess
    expect(again).toEqual({ ok: true, value: '3Wxyz9AbCdE' });
    expect(server.requests).toHaveLength(2);
  });

  it('caches "no such host" for the shorter negative TTL', async () => {
    // Prepare
    const { clock, resolver } = setUp();

    // Act
    const first = await resolver.resolve('i-0ffffffffffffffff');
    clock.now += 4_000;
    await resolver.resolve('i-0ffffffffffffffff');
    const requestsWithinTtl = server.requests.length;
    clock.now += 1_001;
    await resolver.resolve('i-0ffffffffffffffff');

    // Assess
    expect(first).toEqual({ ok: true, value: undefined });
    expect(requestsWithinTtl).toBe(1);
    expect(server.requests).toHaveLength(2);
  });

  it('does not cache errors', async () => {
    // Prepare
    const { resolver } = setUp();
    api.status = 500;

    // Act
    const failed = await resolver.resolve('i-0abc123def4567890');
    api.status = 200;
    const recovered = await resolver.resolve('i-0abc123def4567890');

    // Assess
    expect(failed.ok === false && failed.error.status).toBe(500);
    expect(recovered).toEqual({ ok: true, value: '3Wxyz9AbCdE' });
    expect(server.requests).toHaveLength(2);
  });

  it('sends one request for concurrent lookups of the same instance', async () => {
    // Prepare
    const { resolver } = setUp();
    api.delayMs = 30;

    // Act
    const results = await Promise.all([
      ...Array.from({ length: 5 }, () => resolver.resolve('i-0abc123def4567890')),
      resolver.resolve('i-0ffffffffffffffff'),
    ]);

    // Assess
    expect(results.map((r) => r.ok && r.value)).toEqual(['3Wxyz9AbCdE', '3Wxyz9AbCdE', '3Wxyz9AbCdE', '3Wxyz9AbCdE', '3Wxyz9AbCdE', undefined]);
    expect(server.requests).toHaveLength(2);
  });
});
