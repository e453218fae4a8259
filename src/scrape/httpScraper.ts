import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { err, ok, type Result } from '../result';
import type { Target } from '../types';
import { createDeadline, type Deadline } from '../util/deadline';
import type { BodyLease } from './byteBudget';
import { addressRefusal, type Cidr } from './cidr';
import { ScrapeError } from './errors';

/** Limits every scrape obeys (SCRAPE_TIMEOUT_MS, MAX_BODY_BYTES, ALLOWED_CIDRS). */
export interface ScrapeOptions {
  /** Covers connect, headers and the whole body. */
  timeoutMs: number;
  maxBodyBytes: number;
  allowedCidrs: readonly Cidr[];
}

/** A scraped body (UTF-8 decoded) with its size in bytes, HTTP status and wall time. */
export interface ScrapeBody {
  body: string;
  bytes: number;
  status: number;
  durationMs: number;
}

/** The part of a target the scraper needs. */
export type ScrapeTarget = Pick<Target, 'id' | 'address' | 'port' | 'path'>;

/** Fetches one target's metrics body. Never throws: every failure is a ScrapeError in the Result. */
export interface Scraper {
  /**
   * With a `lease` (MAX_INFLIGHT_BYTES, scrape/byteBudget.ts) the body takes its bytes from the shared budget
   * chunk by chunk, and the socket is paused while the budget has no room (still within the scrape's
   * timeout). The caller releases the lease once the body has been parsed; a failed scrape has already
   * given its bytes back.
   */
  scrape(target: ScrapeTarget, signal?: AbortSignal, lease?: BodyLease): Promise<Result<ScrapeBody, ScrapeError>>;
  /** Closes any socket still open. */
  close(): void;
}

const HEADERS = {
  // Prometheus text first; gostats answers JSON; plugin text is text/plain too.
  Accept: 'text/plain;version=0.0.4, application/json;q=0.9, */*;q=0.1',
  'User-Agent': 'mackerel-ecs-collector',
  // We do not decompress, so ask for the identity encoding.
  'Accept-Encoding': 'identity',
};

/**
 * Creates a scraper over node:http. node:http rather than fetch: at ~10,000 scrapes a cycle it costs less per
 * request (no WHATWG streams, no per-origin pool), and it allows a byte cap while reading.
 * No keep-alive: every target is a different host:port scraped once a minute, far beyond any server's idle
 * timeout, so a pooled socket would never be reused; it would only sit open. At 10,000 targets those idle
 * sockets exceed Lambda's 1,024 file descriptors (the simulator hit EMFILE that way).
 * Redirects are never followed (a 3xx is an `http-status` error), so a target cannot bounce us elsewhere.
 */
export function createHttpScraper(opts: ScrapeOptions): Scraper {
  const agent = new http.Agent({ keepAlive: false });

  const scrape = async (target: ScrapeTarget, signal?: AbortSignal, lease?: BodyLease): Promise<Result<ScrapeBody, ScrapeError>> => {
    const fail = (kind: ScrapeError['kind'], message: string) => err(new ScrapeError(target.id, kind, message));
    // Checked before anything touches the network: no connection is ever opened to a refused address.
    const refusal = addressRefusal(target.address, opts.allowedCidrs);
    if (refusal !== undefined) return fail('address-not-allowed', refusal);
    if (!Number.isInteger(target.port) || target.port < 1 || target.port > 65535) {
      return fail('address-not-allowed', `invalid port ${target.port}`);
    }
    if (signal?.aborted) return fail('aborted', 'aborted');

    const started = performance.now();
    const deadline = createDeadline(opts.timeoutMs, signal);
    try {
      return await getOnce(agent, target, opts, deadline, started, lease);
    } finally {
      deadline.clear();
    }
  };

  return { scrape, close: () => agent.destroy() };
}

type Outcome = Result<ScrapeBody, ScrapeError>;

function getOnce(
  agent: http.Agent,
  target: ScrapeTarget,
  opts: ScrapeOptions,
  deadline: Deadline,
  started: number,
  lease: BodyLease | undefined,
): Promise<Outcome> {
  const where = `${target.address}:${target.port}`;
  return new Promise<Outcome>((resolve) => {
    let req: http.ClientRequest | undefined;
    let settled = false;
    const finish = (result: Outcome): void => {
      if (settled) return;
      settled = true;
      deadline.signal.removeEventListener('abort', onDeadline);
      resolve(result);
    };
    const fail = (kind: ScrapeError['kind'], message: string, extra?: ErrorOptions & { status?: number }): void => {
      // After success the body belongs to the caller, and so do the bytes it holds.
      if (settled) return;
      req?.destroy();
      // Gives the bytes back and withdraws a wait for the budget (the scrape timed out while paused).
      lease?.release();
      finish(err(new ScrapeError(target.id, kind, message, extra)));
    };
    const onDeadline = (): void =>
      deadline.cause() === 'timeout' ? fail('timeout', `timed out after ${opts.timeoutMs} ms`) : fail('aborted', 'aborted');
    if (deadline.signal.aborted) return onDeadline();
    deadline.signal.addEventListener('abort', onDeadline, { once: true });

    try {
      req = http.request({ agent, host: target.address, port: target.port, path: target.path, method: 'GET', headers: HEADERS });
    } catch (e) {
      // e.g. ERR_UNESCAPED_CHARACTERS for a path with spaces: thrown synchronously, before any connection.
      return fail('network', `invalid request: ${(e as Error).message}`);
    }
    const request = req;

    request.on('error', (e: NodeJS.ErrnoException) => {
      fail(e.code === 'ECONNREFUSED' ? 'refused' : 'network', describeNetworkError(e, where), { cause: e });
    });

    request.on('response', (res) => {
      const status = res.statusCode ?? 0;
      if (status < 200 || status > 299) return fail('http-status', `HTTP ${status}`, { status });
      const declared = Number(res.headers['content-length']);
      if (declared > opts.maxBodyBytes) return fail('too-large', `body larger than ${opts.maxBodyBytes} bytes`);
      if (lease !== undefined && declared > lease.limitBytes) return fail('too-large', overBudget(lease));
      lease?.expect(Number.isFinite(declared) ? declared : opts.maxBodyBytes);

      // Kept as Buffers (outside the V8 heap) and decoded once at the end: decoding chunk by chunk spread the
      // work but made thousands of 64 KiB strings for the young-generation GC to copy (+200 MiB peak RSS).
      const chunks: Buffer[] = [];
      let bytes = 0;
      // Chunks that arrived but are not yet within the budget (only while the socket is paused for it).
      const arrived: Buffer[] = [];
      let ended = false;
      const complete = (): void => {
        lease?.finish();
        const durationMs = Math.round(performance.now() - started);
        finish(ok({ body: Buffer.concat(chunks, bytes).toString('utf8'), bytes, status, durationMs }));
      };
      /** Moves arrived chunks into the body while the budget has room; else pauses until it has. */
      const admit = (): boolean => {
        for (let chunk = arrived[0]; chunk !== undefined; chunk = arrived[0]) {
          if (lease !== undefined && !lease.tryTake(chunk.length)) {
            res.pause();
            lease.wait(chunk.length, () => {
              if (settled) return;
              chunks.push(chunk);
              arrived.shift();
              if (!admit()) return;
              if (ended) complete();
              else res.resume();
            });
            return false;
          }
          chunks.push(chunk);
          arrived.shift();
        }
        return true;
      };
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes > opts.maxBodyBytes) return fail('too-large', `body larger than ${opts.maxBodyBytes} bytes`);
        if (lease !== undefined && bytes > lease.limitBytes) return fail('too-large', overBudget(lease));
        arrived.push(chunk);
        // More than one waiting means a wait for the budget is under way: its grant admits this one too.
        if (arrived.length === 1) admit();
      });
      res.on('end', () => {
        ended = true;
        if (arrived.length === 0) complete();
      });
      // The target closed the connection mid-body (errors after the response arrive here, not on `req`).
      res.on('error', (e: NodeJS.ErrnoException) => fail('network', describeNetworkError(e, where), { cause: e }));
      res.on('close', () => {
        if (!res.complete) fail('network', `connection closed before the body was complete (${where})`);
      });
    });

    request.end();
  });
}

function overBudget(lease: BodyLease): string {
  return `body exceeds MAX_INFLIGHT_BYTES (${lease.limitBytes} bytes, shared by all scrapes)`;
}

const NETWORK_MESSAGES: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EPIPE: 'connection closed while sending',
  ETIMEDOUT: 'connect timed out',
};

function describeNetworkError(e: NodeJS.ErrnoException, where: string): string {
  const text = (e.code !== undefined && NETWORK_MESSAGES[e.code]) || e.code || e.message;
  return `${text} (${where})`;
}
