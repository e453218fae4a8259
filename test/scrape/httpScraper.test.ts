import { getEventListeners } from 'node:events';
import { parseCidrs, type Cidr } from '../../src/scrape/cidr';
import { ScrapeError } from '../../src/scrape/errors';
import { createHttpScraper, type Scraper } from '../../src/scrape/httpScraper';
import type { Result } from '../../src/result';
import { countClientSockets, deadPort, startServer, type Handler, type LoopbackServer } from './loopbackServer';

const cidrs = (text: string): Cidr[] => {
  const parsed = parseCidrs(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
};

const LOOPBACK = cidrs('127.0.0.0/8');
const target = (server: { port: number }, overrides: Partial<{ address: string; path: string }> = {}) => ({
  id: 'demo/3f2a9c1e/app:8080',
  address: '127.0.0.1',
  port: server.port,
  path: '/metrics',
  ...overrides,
});

/** The error of a failed Result, or a test failure. */
function failure<T>(result: Result<T, ScrapeError>): ScrapeError {
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result.value)}`);
  return result.error;
}

let server: LoopbackServer | undefined;
let scraper: Scraper | undefined;

async function setUp(handler: Handler, opts: { timeoutMs?: number; maxBodyBytes?: number; allowed?: Cidr[] } = {}) {
  server = await startServer(handler);
  scraper = createHttpScraper({ timeoutMs: opts.timeoutMs ?? 1000, maxBodyBytes: opts.maxBodyBytes ?? 1024, allowedCidrs: opts.allowed ?? LOOPBACK });
  return { server, scraper };
}

afterEach(async () => {
  scraper?.close();
  await server?.close();
  scraper = undefined;
  server = undefined;
});

describe('createHttpScraper', () => {
  it('returns the body, its size and the status of a 200 answer', async () => {
    // Prepare
    const { server, scraper } = await setUp((_req, res) => res.end('go_goroutines 42\n'));

    // Act
    const result = await scraper.scrape(target(server));

    // Assess
    expect(result.ok && result.value).toMatchObject({ body: 'go_goroutines 42\n', bytes: 17, status: 200 });
    expect(server.requests[0]).toMatchObject({ method: 'GET', url: '/metrics' });
    expect(server.requests[0]?.headers['user-agent']).toBe('mackerel-ecs-collector');
    expect(server.requests[0]?.headers.accept).toContain('text/plain;version=0.0.4');
  });

  it('leaves no connection open after a scrape (no idle keep-alive sockets)', async () => {
    // Prepare
    const { server, scraper } = await setUp((_req, res) => res.end('x 1\n'));

    // Act
    const results = [await scraper.scrape(target(server)), await scraper.scrape(target(server))];
    await new Promise((r) => setTimeout(r, 50));

    // Assess: one connection per scrape, each closed by the client once the body arrived.
    expect(results.map((r) => r.ok)).toEqual([true, true]);
    expect(server.connections).toBe(2);
    expect(server.requests.map((r) => r.headers.connection)).toEqual(['close', 'close']);
  });

  it('reports a non-2xx answer with its status', async () => {
    // Prepare
    const { server, scraper } = await setUp((_req, res) => {
      res.statusCode = 500;
      res.end('boom');
    });

    // Act
    const error = failure(await scraper.scrape(target(server)));

    // Assess
    expect(error).toBeInstanceOf(ScrapeError);
    expect(error).toMatchObject({ kind: 'http-status', status: 500, message: 'HTTP 500', targetId: 'demo/3f2a9c1e/app:8080' });
  });

  it('does not follow a redirect', async () => {
    // Prepare
    const { server, scraper } = await setUp((_req, res) => {
      res.writeHead(302, { Location: 'http://169.254.169.254/latest/meta-data/' });
      res.end();
    });

    // Act
    const error = failure(await scraper.scrape(target(server)));

    // Assess
    expect(error).toMatchObject({ kind: 'http-status', status: 302 });
    expect(server.requests).toHaveLength(1);
  });

  it('reports a closed port as connection refused', async () => {
    // Prepare
    const port = await deadPort();
    scraper = createHttpScraper({ timeoutMs: 1000, maxBodyBytes: 1024, allowedCidrs: LOOPBACK });

    // Act
    const error = failure(await scraper.scrape(target({ port })));

    // Assess
    expect(error).toMatchObject({ kind: 'refused', message: `connection refused (127.0.0.1:${port})` });
  });

  it('times out a target that never answers', async () => {
    // Prepare: the handler never responds.
    const { server, scraper } = await setUp(() => undefined, { timeoutMs: 200 });

    // Act
    const error = failure(await scraper.scrape(target(server)));

    // Assess
    expect(error).toMatchObject({ kind: 'timeout', message: 'timed out after 200 ms' });
  });

  it('times out a target that sends headers and then stalls the body', async () => {
    // Prepare
    const { server, scraper } = await setUp((_req, res) => res.write('partial'), { timeoutMs: 200 });

    // Act
    const error = failure(await scraper.scrape(target(server)));

    // Assess
    expect(error.kind).toBe('timeout');
  });

  it('stops reading a streamed body once it passes the cap', async () => {
    // Prepare: chunked, no Content-Length, and it never ends by itself.
    const { server, scraper } = await setUp(
      (_req, res) => {
        res.write('a'.repeat(600));
        setTimeout(() => res.write('b'.repeat(600)), 20);
      },
      { maxBodyBytes: 1000, timeoutMs: 5000 },
    );

    // Act
    const error = failure(await scraper.scrape(target(server)));

    // Assess
    expect(error).toMatchObject({ kind: 'too-large', message: 'body larger than 1000 bytes' });
  });

  it('rejects a declared Content-Length over the cap before reading the body', async () => {
    // Prepare: the body would take until the 5 s timeout, so only the header can explain a too-large result.
    const { server, scraper } = await setUp(
      (_req, res) => {
        res.writeHead(200, { 'Content-Length': '2000' });
        res.write('x');
      },
      { maxBodyBytes: 1000, timeoutMs: 5000 },
    );

    // Act
    const error = failure(await scraper.scrape(target(server)));

    // Assess
    expect(error).toMatchObject({ kind: 'too-large', message: 'body larger than 1000 bytes' });
  });

  it('refuses an address outside the allowed CIDRs without connecting', async () => {
    // Prepare
    const { server, scraper } = await setUp((_req, res) => res.end('x 1\n'), { allowed: cidrs('127.0.0.2/32') });
    let result: Result<unknown, ScrapeError> | undefined;

    // Act
    const sockets = await countClientSockets(async () => {
      result = await scraper.scrape(target(server));
    });

    // Assess
    expect(result?.ok === false && result.error).toMatchObject({ kind: 'address-not-allowed', message: 'address 127.0.0.1 is outside ALLOWED_CIDRS' });
    expect(sockets).toBe(0);
    expect(server.connections).toBe(0);
    expect(server.requests).toHaveLength(0);
  });

  it.each(['169.254.169.254', '169.254.170.2'])('never connects to the metadata address %s, even when 0.0.0.0/0 is allowed', async (address) => {
    // Prepare
    scraper = createHttpScraper({ timeoutMs: 1000, maxBodyBytes: 1024, allowedCidrs: cidrs('0.0.0.0/0') });
    let result: Result<unknown, ScrapeError> | undefined;

    // Act
    const sockets = await countClientSockets(async () => {
      result = await scraper?.scrape({ id: 'meta', address, port: 80, path: '/latest/meta-data/' });
    });

    // Assess
    expect(result?.ok === false && result.error.kind).toBe('address-not-allowed');
    expect(result?.ok === false && result.error.message).toContain('link-local');
    expect(sockets).toBe(0);
  });

  it.each(['localhost', '::1', '127.1', '0x7f.0.0.1'])('refuses %s, which is not a plain IPv4 address', async (address) => {
    // Prepare
    scraper = createHttpScraper({ timeoutMs: 1000, maxBodyBytes: 1024, allowedCidrs: cidrs('0.0.0.0/0') });

    // Act
    const error = failure(await scraper.scrape({ id: 't', address, port: 80, path: '/' }));

    // Assess
    expect(error.kind).toBe('address-not-allowed');
  });

  it('stops a scrape in flight when the cycle signal aborts', async () => {
    // Prepare
    const { server, scraper } = await setUp(() => undefined, { timeoutMs: 5000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);

    // Act
    const error = failure(await scraper.scrape(target(server), controller.signal));

    // Assess
    expect(error).toMatchObject({ kind: 'aborted', message: 'aborted' });
    expect(server.requests).toHaveLength(1);
  });

  it('aborts every in-flight scrape sharing one cycle signal, holding one listener on it', async () => {
    // Prepare: Node warns of a leak past 10 listeners on one signal; jest hides process warnings, so count.
    const { server, scraper } = await setUp(() => undefined, { timeoutMs: 5000 });
    const controller = new AbortController();

    // Act
    const pending = Array.from({ length: 20 }, () => scraper.scrape(target(server), controller.signal));
    const listeners = getEventListeners(controller.signal, 'abort').length;
    setTimeout(() => controller.abort(), 50);
    const results = await Promise.all(pending);

    // Assess
    expect(results.map((r) => !r.ok && r.error.kind)).toEqual(Array(20).fill('aborted'));
    expect(listeners).toBe(1);
  });

  it('does not start a scrape when the cycle signal has already aborted', async () => {
    // Prepare
    const { server, scraper } = await setUp((_req, res) => res.end('x 1\n'));

    // Act
    const error = failure(await scraper.scrape(target(server), AbortSignal.abort()));

    // Assess
    expect(error.kind).toBe('aborted');
    expect(server.connections).toBe(0);
  });
});
