import type { ServerResponse } from 'node:http';
import { CriticalError, describeError } from '../../src/errors';
import type { Logger } from '../../src/log';
import { createMackerelClient, type MackerelClientOptions } from '../../src/mackerel/client';
import { MackerelAuthError, MackerelError } from '../../src/mackerel/errors';
import type { Result } from '../../src/result';
import { deadPort, startServer, type LoopbackServer } from '../scrape/loopbackServer';

const API_KEY = 'k3y-SECRET-0123456789abcdef';

/** A server answering each request with the next reply in turn (the last one repeats); `hang` never answers. */
type Reply = { status: number; body?: unknown; headers?: Record<string, string> } | 'hang';
async function mackerel(...replies: Reply[]): Promise<LoopbackServer> {
  return startServer((_req, res: ServerResponse, _recorded) => {
    const reply = replies[Math.min(server.requests.length - 1, replies.length - 1)] ?? { status: 200 };
    if (reply === 'hang') return;
    res.writeHead(reply.status, { 'Content-Type': 'application/json', ...reply.headers });
    res.end(typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body ?? { success: true }));
  }).then((s) => (server = s));
}

let server: LoopbackServer;
afterEach(async () => server?.close());

/** Captures log lines as the JSON a real logger would write. */
function capturingLogger(lines: string[]): Logger {
  const write = (level: string) => (message: string, fields?: object) => lines.push(JSON.stringify({ level, message, ...fields }));
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

const client = (s: { baseUrl: string }, extra: Partial<MackerelClientOptions> = {}) =>
  createMackerelClient({ apiKey: API_KEY, baseUrl: s.baseUrl, baseDelayMs: 1, maxDelayMs: 5, maxAttempts: 3, timeoutMs: 1000, ...extra });

function failure<T, E>(result: Result<T, E>): E {
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result.value)}`);
  return result.error;
}

const VALUES = [{ hostId: '3Wxyz9AbCdE', name: 'custom.gostats.api-3f2a9c1e.runtime.goroutine_num', time: 1767225600, value: 42 }];

describe('createMackerelClient', () => {
  it('posts metric values as a JSON array with the key and user agent headers', async () => {
    // Prepare
    await mackerel({ status: 200, body: { success: true } });

    // Act
    const result = await client(server).postMetrics(VALUES);

    // Assess
    expect(result).toEqual({ ok: true, value: undefined });
    const [request] = server.requests;
    expect(request).toMatchObject({ method: 'POST', url: '/api/v0/tsdb' });
    expect(JSON.parse(request?.body ?? '')).toEqual(VALUES);
    expect(request?.headers).toMatchObject({ 'x-api-key': API_KEY, 'content-type': 'application/json', 'user-agent': 'mackerel-ecs-collector' });
  });

  it('posts graph definitions to graph-defs/create', async () => {
    // Prepare
    await mackerel({ status: 200 });
    const defs = [
      { name: 'custom.gostats.#.runtime', displayName: 'Go runtime', unit: 'integer' as const, metrics: [{ name: 'custom.gostats.#.runtime.goroutine_num', displayName: '%1 goroutines', isStacked: false }] },
    ];

    // Act
    const result = await client(server).postGraphDefs(defs);

    // Assess
    expect(result.ok).toBe(true);
    expect(server.requests[0]?.url).toBe('/api/v0/graph-defs/create');
    expect(JSON.parse(server.requests[0]?.body ?? '')).toEqual(defs);
  });

  it('sends nothing for an empty batch', async () => {
    // Prepare
    await mackerel({ status: 500 });

    // Act
    const results = [await client(server).postMetrics([]), await client(server).postGraphDefs([])];

    // Assess
    expect(results.map((r) => r.ok)).toEqual([true, true]);
    expect(server.requests).toHaveLength(0);
  });

  it('retries a 429 and succeeds, waiting Retry-After capped by maxDelayMs', async () => {
    // Prepare
    const lines: string[] = [];
    await mackerel({ status: 429, body: { error: { message: 'too many requests' } }, headers: { 'Retry-After': '30' } }, { status: 200 });

    // Act
    const result = await client(server, { logger: capturingLogger(lines) }).postMetrics(VALUES);

    // Assess
    expect(result.ok).toBe(true);
    expect(server.requests).toHaveLength(2);
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      { level: 'warn', message: 'mackerel request retrying', method: 'POST', path: '/api/v0/tsdb', attempt: 1, status: 429, reason: 'HTTP 429: too many requests', delayMs: 5 },
    ]);
  });

  it('gives up after maxAttempts 5xx answers with the status and attempt count', async () => {
    // Prepare
    await mackerel({ status: 503, body: 'Service Unavailable' });

    // Act
    const error = failure(await client(server).postMetrics(VALUES));

    // Assess
    expect(error).toBeInstanceOf(MackerelError);
    expect(error).toMatchObject({ status: 503, attempts: 3, path: '/api/v0/tsdb' });
    expect(error.message).toBe('Mackerel POST /api/v0/tsdb failed: HTTP 503: Service Unavailable (3 attempts)');
    expect(server.requests).toHaveLength(3);
  });

  it("does not retry a 400 and surfaces the API's error message", async () => {
    // Prepare
    await mackerel({ status: 400, body: { error: { message: 'bad' } } });

    // Act
    const error = failure(await client(server).postMetrics(VALUES));

    // Assess
    expect(error).toMatchObject({ status: 400, attempts: 1 });
    expect(error.message).toBe('Mackerel POST /api/v0/tsdb failed: HTTP 400: bad (1 attempt)');
    expect(server.requests).toHaveLength(1);
  });

  it.each([401, 403])('turns %i into a critical MackerelAuthError without retrying', async (status) => {
    // Prepare
    await mackerel({ status, body: { error: { message: 'Authentication failed' } } });

    // Act
    const error = failure(await client(server).postMetrics(VALUES));

    // Assess
    expect(error).toBeInstanceOf(MackerelAuthError);
    expect(error).toBeInstanceOf(CriticalError);
    expect(error).toMatchObject({ status, attempts: 1 });
    expect(error.message).toContain('Authentication failed');
    expect(server.requests).toHaveLength(1);
  });

  it('retries an attempt that timed out', async () => {
    // Prepare
    await mackerel('hang', { status: 200 });

    // Act
    const result = await client(server, { timeoutMs: 100 }).postMetrics(VALUES);

    // Assess
    expect(result.ok).toBe(true);
    expect(server.requests).toHaveLength(2);
  });

  it('reports repeated timeouts without a status', async () => {
    // Prepare
    await mackerel('hang');

    // Act
    const error = failure(await client(server, { timeoutMs: 50, maxAttempts: 2 }).postMetrics(VALUES));

    // Assess
    expect(error).toMatchObject({ status: undefined, attempts: 2 });
    expect(error.message).toBe('Mackerel POST /api/v0/tsdb failed: timed out after 50 ms (2 attempts)');
  });

  it('retries network errors and then reports them', async () => {
    // Prepare
    const port = await deadPort();

    // Act
    const error = failure(await client({ baseUrl: `http://127.0.0.1:${port}` }).postMetrics(VALUES));

    // Assess
    expect(error).toMatchObject({ status: undefined, attempts: 3 });
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('stops at once when the caller aborts, without retrying', async () => {
    // Prepare
    await mackerel('hang');
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);

    // Act
    const error = failure(await client(server, { timeoutMs: 5000 }).postMetrics(VALUES, controller.signal));

    // Assess
    expect(error.message).toBe('Mackerel POST /api/v0/tsdb failed: aborted (1 attempt)');
    expect(server.requests).toHaveLength(1);
  });
});

describe('findHostIdByCustomIdentifier', () => {
  it('asks for the custom identifier in every non-retired status and returns the host id', async () => {
    // Prepare
    await mackerel({ status: 200, body: { hosts: [{ id: '3Wxyz9AbCdE', status: 'working', isRetired: false }] } });

    // Act
    const result = await client(server).findHostIdByCustomIdentifier('i-0abc123def4567890.ec2.amazonaws.com');

    // Assess
    expect(result).toEqual({ ok: true, value: '3Wxyz9AbCdE' });
    expect(server.requests[0]?.method).toBe('GET');
    expect(server.requests[0]?.url).toBe(
      '/api/v0/hosts?customIdentifier=i-0abc123def4567890.ec2.amazonaws.com&status=working&status=standby&status=maintenance&status=poweroff',
    );
  });

  it('returns undefined when no host has the identifier', async () => {
    // Prepare
    await mackerel({ status: 200, body: { hosts: [] } });

    // Act
    const result = await client(server).findHostIdByCustomIdentifier('i-0000.ec2.amazonaws.com');

    // Assess
    expect(result).toEqual({ ok: true, value: undefined });
  });

  it('skips retired hosts and prefers a working one', async () => {
    // Prepare
    const hosts = [
      { id: 'retired', status: 'working', isRetired: true },
      { id: 'standby', status: 'standby', isRetired: false },
      { id: 'working', status: 'working', isRetired: false },
    ];
    await mackerel({ status: 200, body: { hosts } }, { status: 200, body: { hosts: hosts.slice(0, 1) } });

    // Act
    const first = await client(server).findHostIdByCustomIdentifier('x');
    const onlyRetired = await client(server).findHostIdByCustomIdentifier('x');

    // Assess
    expect(first).toEqual({ ok: true, value: 'working' });
    expect(onlyRetired).toEqual({ ok: true, value: undefined });
  });

  it('reports an unexpected answer without retrying', async () => {
    // Prepare
    await mackerel({ status: 200, body: '<html>proxy</html>' });

    // Act
    const error = failure(await client(server).findHostIdByCustomIdentifier('x'));

    // Assess
    expect(error.message).toBe('Mackerel GET /api/v0/hosts: unexpected response: expected {"hosts":[{"id":…}]} (1 attempt)');
    expect(server.requests).toHaveLength(1);
  });
});

describe('API key secrecy', () => {
  it('never puts the key in an error message, error field or log line, however the request fails', async () => {
    // Prepare: an API that echoes the key back in its error text, plus every other way to fail.
    const lines: string[] = [];
    const errors: unknown[] = [];
    const echo = { error: { message: `invalid key ${API_KEY}` } };
    const run = async (s: { baseUrl: string }, extra: Partial<MackerelClientOptions> = {}) => {
      const c = client(s, { logger: capturingLogger(lines), timeoutMs: 50, maxAttempts: 2, ...extra });
      for (const r of [await c.postMetrics(VALUES), await c.findHostIdByCustomIdentifier('x'), await c.postGraphDefs([])]) {
        if (!r.ok) errors.push(r.error);
      }
    };
    for (const reply of [400, 401, 403, 404, 429, 500].map((status) => ({ status, body: echo })).concat([{ status: 200, body: echo }])) {
      await mackerel(reply);
      await run(server);
      await server.close();
    }
    await mackerel('hang');
    await run(server);
    await run({ baseUrl: `http://127.0.0.1:${await deadPort()}` });
    await run({ baseUrl: 'not a url' });
    await run(server, { apiKey: `${API_KEY}\n` });
    await run(server, { apiKey: `${API_KEY}\n`, baseUrl: 'http://[bad' });

    // Act
    const texts = [
      ...lines,
      ...errors.map((e) => describeError(e)),
      ...errors.map((e) => JSON.stringify({ ...(e as object), stack: (e as Error).stack })),
    ];

    // Assess
    expect(errors.length).toBeGreaterThanOrEqual(22);
    expect(lines.length).toBeGreaterThan(0);
    expect(texts.filter((t) => t.includes(API_KEY))).toEqual([]);
    expect(texts.some((t) => t.includes('invalid key ***'))).toBe(true);
  });

  it('refuses a key that is not a valid header value without sending anything', async () => {
    // Prepare
    await mackerel({ status: 200 });

    // Act
    const error = failure(await client(server, { apiKey: `${API_KEY}\r\nX-Injected: 1` }).postMetrics(VALUES));

    // Assess
    expect(error).toBeInstanceOf(MackerelAuthError);
    expect(error.message).toBe('Mackerel POST /api/v0/tsdb not sent: the API key is empty or not a valid HTTP header value');
    expect(server.requests).toHaveLength(0);
  });
});
