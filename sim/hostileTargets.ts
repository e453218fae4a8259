/**
 * Metrics endpoints that misbehave on purpose, for the fault suite: each is an HTTP server on a loopback
 * address (127.0.x.y) that a simulated awsvpc task points at (TaskSpec `kind: 'refuse'` with the server's
 * address as `eniAddress` and its port as `containerPort`: the simulator then opens nothing itself). Large
 * bodies are served from buffers built once, so the server's own memory stays small next to the collector's.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { closeServer } from './httpServer';

/** How a hostile endpoint answers. */
export type HostileBehaviour = (req: IncomingMessage, res: ServerResponse) => void;

/** A running hostile endpoint. */
export interface HostileTarget {
  readonly address: string;
  readonly port: number;
  /** Requests served so far. */
  hits(): number;
  close(): Promise<void>;
}

/** Starts a hostile endpoint on `address` (must be 127.x.y.z) with an OS-chosen port. */
export async function startHostileTarget(address: string, behaviour: HostileBehaviour): Promise<HostileTarget> {
  if (!address.startsWith('127.')) throw new Error(`hostile targets listen on loopback only, got ${address}`);
  let hits = 0;
  const server = createServer((req, res) => {
    hits++;
    behaviour(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, address, () => resolve());
  });
  return { address, port: (server.address() as AddressInfo).port, hits: () => hits, close: () => closeServer(server) };
}

const text = (res: ServerResponse, body: Buffer | string, headers: Record<string, string> = {}): void => {
  res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4', 'content-length': String(Buffer.byteLength(body)), ...headers });
  res.end(body);
};

/** A Prometheus body of about `bytes`: one gauge family with as many labelled series as fit. */
export function promBody(bytes: number, family = 'big_gauge'): Buffer {
  const lines: string[] = [`# TYPE ${family} gauge`];
  let size = lines[0]?.length ?? 0;
  for (let i = 0; size < bytes; i++) {
    const line = `${family}{series="s${i}",pad="${'x'.repeat(40)}"} ${i}`;
    lines.push(line);
    size += line.length + 1;
  }
  return Buffer.from(lines.join('\n') + '\n');
}

/** `series` unlabelled gauges, one family each (`m0 0`, `m1 1`, …): the most series per byte. */
export function manySeriesBody(series: number): Buffer {
  const parts: string[] = [];
  for (let i = 0; i < series; i++) parts.push(`m${i} ${i}\n`);
  return Buffer.from(parts.join(''));
}

/** Answers `body` (built once by the caller) to every request. */
export const serve = (body: Buffer | string, headers?: Record<string, string>): HostileBehaviour => (_req, res) => text(res, body, headers);

/** Sends headers, then one byte every `everyMs`, never finishing (slowloris in reverse). */
export const slowloris = (everyMs = 200): HostileBehaviour => (_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain' });
  const t = setInterval(() => (res.destroyed ? clearInterval(t) : res.write('#')), everyMs);
  res.on('close', () => clearInterval(t));
};

/** Streams a valid-looking Prometheus body forever (no content-length) until the client goes away. */
export const endless: HostileBehaviour = (_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain' });
  const chunk = Buffer.from('# filler comment line of an endless body\n'.repeat(1000));
  const pump = (): void => {
    while (!res.destroyed && res.write(chunk)) {
      // keep writing until the socket buffer is full
    }
    if (!res.destroyed) res.once('drain', pump);
  };
  pump();
};

/** Redirects to the instance metadata service: must never be followed. */
export const redirectToImds: HostileBehaviour = (_req, res) => {
  res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/iam/security-credentials/' });
  res.end();
};

/** A gzip bomb: a few KiB that inflate to `inflated` bytes, sent with `Content-Encoding: gzip`. */
export function gzipBomb(inflated = 64 * 1024 * 1024): HostileBehaviour {
  const bomb = gzipSync(Buffer.alloc(inflated, 0x30), { level: 9 });
  return (_req, res) => text(res, bomb, { 'content-encoding': 'gzip', 'content-type': 'text/plain' });
}

/** Answers 200 with the request line it saw echoed into a metric (to spot CRLF or `@` reaching the wire). */
export const echoPath: HostileBehaviour = (req, res) => text(res, `# path ${JSON.stringify(req.url ?? '')}\nseen 1\n`);
