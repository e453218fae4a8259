import diagnostics from 'node:diagnostics_channel';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as the test server saw it. */
export interface RecordedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A real HTTP server on loopback that records what reaches it. */
export interface LoopbackServer {
  host: string;
  port: number;
  baseUrl: string;
  requests: RecordedRequest[];
  /** TCP connections accepted so far. */
  connections: number;
  close(): Promise<void>;
}

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse, recorded: RecordedRequest) => void;

/** Starts a node:http server on `host` (127.0.0.1 by default), port 0. */
export async function startServer(handler: Handler, host = '127.0.0.1'): Promise<LoopbackServer> {
  const requests: RecordedRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const recorded = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(recorded);
      handler(req, res, recorded);
    });
  });
  const state = { host, port: 0, baseUrl: '', requests, connections: 0 };
  server.on('connection', () => state.connections++);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  state.port = (server.address() as AddressInfo).port;
  state.baseUrl = `http://${host}:${state.port}`;
  return Object.assign(state, {
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

/** A loopback port nobody listens on: bound, then released. */
export async function deadPort(host = '127.0.0.1'): Promise<number> {
  const server = await startServer(() => undefined, host);
  await server.close();
  return server.port;
}

/**
 * Counts client TCP sockets this process creates while `fn` runs, through Node's own `net.client.socket`
 * diagnostics channel: proof that a refused address never got a connection attempt.
 */
export async function countClientSockets(fn: () => Promise<void>): Promise<number> {
  let count = 0;
  const onSocket = (): void => {
    count++;
  };
  diagnostics.subscribe('net.client.socket', onSocket);
  try {
    await fn();
  } finally {
    diagnostics.unsubscribe('net.client.socket', onSocket);
  }
  return count;
}
