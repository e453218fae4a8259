/**
 * Small HTTP plumbing shared by the simulator's servers: listen on a loopback address, read a body with a cap,
 * sleep, and close a server together with every socket it still holds (so jest exits without open handles).
 */
import { createServer, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** A started HTTP server. `close()` also destroys keep-alive and hung connections. */
export interface RunningServer {
  readonly server: Server;
  /** `http://host:port` without a trailing slash. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Starts an HTTP server on `host:port` (port 0 = chosen by the OS). */
export async function listenHttp(handler: RequestListener, host = '127.0.0.1', port = 0): Promise<RunningServer> {
  const server = createServer(handler);
  // The collector polls at most once a minute per target; short idle keep-alive keeps socket counts low.
  server.keepAliveTimeout = 2000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    server,
    url: `http://${host}:${bound}`,
    port: bound,
    close: () => closeServer(server),
  };
}

/** Stops accepting, then destroys every open connection, idle or not. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      server.closeAllConnections();
      resolve();
      return;
    }
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** Thrown by `readBody` when the body exceeds the cap. */
export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
}

/** Reads a request body as UTF-8, rejecting bodies over `limitBytes`. */
export async function readBody(req: IncomingMessage, limitBytes = 16 * 1024 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limitBytes) throw new BodyTooLargeError(`body over ${limitBytes} bytes`);
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Waits `ms` milliseconds (no-op for 0), with an unref'd timer so a pending delay never holds the process. */
export async function delay(ms: number): Promise<void> {
  if (ms > 0) await sleep(ms, undefined, { ref: false });
}
