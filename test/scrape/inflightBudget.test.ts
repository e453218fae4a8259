import type http from 'node:http';
import { createDirectFetcher, type BodyFetcher } from '../../src/scrape/bodyFetcher';
import { parseCidrs } from '../../src/scrape/cidr';
import { createHttpScraper } from '../../src/scrape/httpScraper';
import type { Result } from '../../src/result';
import type { ScrapeError } from '../../src/scrape/errors';
import type { ScrapeBody } from '../../src/scrape/httpScraper';
import type { Target } from '../../src/types';
import { startServer, type LoopbackServer } from './loopbackServer';

const KIB = 1024;
const LOOPBACK = (() => {
  const parsed = parseCidrs('127.0.0.0/8');
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
})();

/** Body of `bytes` bytes whose content shows its own position, so a reordered chunk would show. */
const bodyOf = (bytes: number, tag: string) => {
  const line = `${tag} ${'x'.repeat(60)}\n`;
  return line.repeat(Math.ceil(bytes / line.length)).slice(0, bytes);
};

/** Serves GET /<bytes>/<tag>[/chunked] with that many bytes; chunked ones without Content-Length, in 16 KiB writes. */
function serveBodies(req: http.IncomingMessage, res: http.ServerResponse): void {
  const [, size = '0', tag = 't', mode] = (req.url ?? '').split('/');
  const body = bodyOf(Number(size), tag);
  if (mode !== 'chunked') return void res.end(body);
  let at = 0;
  const writeMore = (): void => {
    if (at >= body.length) return void res.end();
    res.write(body.slice(at, at + 16 * KIB));
    at += 16 * KIB;
    setImmediate(writeMore);
  };
  writeMore();
}

function loopTarget(server: LoopbackServer, path: string): Target {
  return {
    id: `test/3f2a9c1e/app:8080${path}`,
    cluster: 'test',
    family: 'app',
    revision: 1,
    taskId: '3f2a9c1e5b7d4e6f8a9b0c1d2e3f4a5b',
    taskArn: 'arn:aws:ecs:us-east-1:111122223333:task/test/3f2a9c1e5b7d4e6f8a9b0c1d2e3f4a5b',
    containerName: 'app',
    launchType: 'EC2',
    networkMode: 'bridge',
    address: server.host,
    port: server.port,
    containerPort: 8080,
    path,
    format: 'prometheus',
    prefix: 'prometheus',
  };
}

type Got = Map<string, Result<ScrapeBody, ScrapeError>>;

let server: LoopbackServer | undefined;
let fetcher: BodyFetcher | undefined;

async function setUp(opts: { maxInflightBytes: number; concurrency: number; timeoutMs?: number; maxBodyBytes?: number }) {
  server = await startServer(serveBodies);
  const scraper = createHttpScraper({ timeoutMs: opts.timeoutMs ?? 5000, maxBodyBytes: opts.maxBodyBytes ?? 4096 * KIB, allowedCidrs: LOOPBACK });
  fetcher = createDirectFetcher(scraper, opts.concurrency, { maxInflightBytes: opts.maxInflightBytes });
  return { server, fetcher };
}

afterEach(async () => {
  fetcher?.close();
  await server?.close();
  fetcher = undefined;
  server = undefined;
});

describe('MAX_INFLIGHT_BYTES across concurrent scrapes', () => {
  it('keeps a body that does not fit waiting until the one before it has been parsed, then delivers it', async () => {
    // Prepare: two 256 KiB bodies, a budget of 384 KiB
    const { server, fetcher } = await setUp({ maxInflightBytes: 384 * KIB, concurrency: 2 });
    const arrived: string[] = [];
    let secondWhileFirstParsed: boolean | undefined;
    // Act
    await fetcher.fetchEach([loopTarget(server, '/262144/a'), loopTarget(server, '/262144/b')], async (t, r) => {
      arrived.push(t.path);
      if (!r.ok) throw r.error;
      if (arrived.length > 1) return;
      // The first body is "being parsed" for long enough that the other would arrive, were it not held back.
      await new Promise((resolve) => setTimeout(resolve, 300));
      secondWhileFirstParsed = arrived.length > 1;
    });
    // Assess
    expect(secondWhileFirstParsed).toBe(false);
    expect(arrived).toHaveLength(2);
    expect(server.requests).toHaveLength(2);
  });

  it('fails a body larger than the whole budget with a clear reason, and gives the budget back', async () => {
    // Prepare: a 64 KiB budget; a declared 100 KiB body, a chunked one, then one that fits
    const { server, fetcher } = await setUp({ maxInflightBytes: 64 * KIB, concurrency: 1 });
    const got: Got = new Map();
    // Act
    await fetcher.fetchEach(
      [loopTarget(server, '/102400/a'), loopTarget(server, '/102400/b/chunked'), loopTarget(server, '/61440/c')],
      (t, r) => got.set(t.path, r),
    );
    // Assess
    for (const path of ['/102400/a', '/102400/b/chunked']) {
      const r = got.get(path);
      expect(r?.ok).toBe(false);
      if (r && !r.ok) expect(r.error).toMatchObject({ kind: 'too-large', message: expect.stringMatching(/^body exceeds MAX_INFLIGHT_BYTES \(65536 bytes/) });
    }
    const fits = got.get('/61440/c');
    expect(fits?.ok && fits.value.body).toBe(bodyOf(61440, 'c'));
  });

  it('times out a scrape that waits too long for the budget, and its bytes go to the next body', async () => {
    // Prepare: 256 KiB bodies A and B, a 384 KiB budget, 500 ms timeout; C needs the whole budget
    const { server, fetcher } = await setUp({ maxInflightBytes: 384 * KIB, concurrency: 2, timeoutMs: 500 });
    const got: Got = new Map();
    let failedOne = (): void => undefined;
    const oneFailed = new Promise<void>((r) => (failedOne = r));
    // Act
    await fetcher.fetchEach(
      [loopTarget(server, '/262144/a'), loopTarget(server, '/262144/b'), loopTarget(server, '/393216/c')],
      async (t, r) => {
        got.set(t.path, r);
        if (!r.ok) return failedOne();
        // The first body "parses" until the other has given up.
        if (t.path !== '/393216/c') await oneFailed;
      },
    );
    // Assess
    const ab = ['/262144/a', '/262144/b'].map((p) => got.get(p));
    expect(ab.filter((r) => r?.ok)).toHaveLength(1);
    const timedOut = ab.find((r) => r !== undefined && !r.ok);
    expect(timedOut && !timedOut.ok && timedOut.error).toMatchObject({ kind: 'timeout', message: 'timed out after 500 ms' });
    const c = got.get('/393216/c');
    expect(c?.ok && c.value.bytes).toBe(393216);
    }, 5000);

  it('delivers every body intact when the bodies together need more than the budget (no deadlock)', async () => {
    // Prepare: four 400 KiB bodies streamed without Content-Length (each may claim 512 KiB), a 1 MiB budget
    const { server, fetcher } = await setUp({ maxInflightBytes: 1024 * KIB, concurrency: 4, maxBodyBytes: 512 * KIB });
    const got: Got = new Map();
    const paths = ['a', 'b', 'c', 'd'].map((tag) => `/409600/${tag}/chunked`);
    // Act
    await fetcher.fetchEach(
      paths.map((p) => loopTarget(server, p)),
      async (t, r) => {
        got.set(t.path, r);
        await new Promise((resolve) => setTimeout(resolve, 20));
      },
    );
    // Assess
    expect(paths.map((p) => { const r = got.get(p); return r?.ok ? r.value.body === bodyOf(409600, p.split('/')[2] ?? '') : r?.error.message; })).toEqual([true, true, true, true]);
  });
});
