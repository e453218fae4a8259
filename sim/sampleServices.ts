/**
 * Listening sockets of the sample services. Every task needs its own listening socket (its dynamic host port
 * is what the collector must discover), but 10,000 `http.Server`s would be heavy: each port gets a bare
 * `net.Server` whose connections are handed to ONE shared `http.Server`, which dispatches on the socket's
 * local address and port to the task's endpoint.
 */
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { delay } from './httpServer';
import type { SampleEndpoint } from './sampleEndpoints';

/** One listening port. `close()` stops listening and drops its connections (a stopped task). */
export interface SampleListener {
  readonly address: string;
  readonly port: number;
  close(): Promise<void>;
}

/** All sample-service sockets of a simulation. */
export class SampleServerPool {
  private readonly http = createHttpServer((req, res) => void this.dispatch(req, res));
  private readonly endpoints = new Map<string, SampleEndpoint>();
  private readonly open = new Map<string, { server: NetServer; sockets: Set<Socket> }>();

  /**
   * @param latencyMs delay before every response (targetLatencyMs).
   * @param keepAlive keep connections open after a response (2 s idle). Off by default: each target is
   *   scraped once a minute, so a kept socket is never reused, and at 10,000 targets the idle sockets of
   *   both ends (one process in tests and the benchmark) would exceed the open-files limit (EMFILE).
   */
  constructor(
    private readonly latencyMs = 0,
    private readonly keepAlive = false,
  ) {
    this.http.keepAliveTimeout = 2000;
  }

  /** Listens on `address:port` (0 = an ephemeral port chosen by the OS) and serves `endpoint` there. */
  async listen(address: string, port: number, endpoint: SampleEndpoint): Promise<SampleListener> {
    const sockets = new Set<Socket>();
    const server = createNetServer((socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      this.http.emit('connection', socket);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: address, port, backlog: 511 }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const bound = (server.address() as AddressInfo).port;
    const key = `${address}:${bound}`;
    this.endpoints.set(key, endpoint);
    this.open.set(key, { server, sockets });
    return { address, port: bound, close: () => this.closeKey(key) };
  }

  /**
   * A port that had a listener and no longer has one: connecting to it is refused, the way a crashed
   * container's published port behaves. The OS may hand the port out again later; unlikely within a test.
   */
  async refusedPort(address: string): Promise<number> {
    const listener = await this.listen(address, 0, (req) => req.socket.destroy());
    await listener.close();
    return listener.port;
  }

  /** Number of ports currently listening. */
  listening(): number {
    return this.open.size;
  }

  /** Closes every listener and destroys every connection, hung ones included. */
  async close(): Promise<void> {
    await Promise.all([...this.open.keys()].map((key) => this.closeKey(key)));
    this.http.closeAllConnections();
  }

  private closeKey(key: string): Promise<void> {
    const entry = this.open.get(key);
    if (!entry) return Promise.resolve();
    this.open.delete(key);
    this.endpoints.delete(key);
    return new Promise((resolve) => {
      entry.server.close(() => resolve());
      for (const socket of entry.sockets) socket.destroy();
    });
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const endpoint = this.endpoints.get(`${req.socket.localAddress}:${req.socket.localPort}`);
    if (!endpoint) {
      req.socket.destroy();
      return;
    }
    // `Connection: close` makes node end the socket after the response; the client closes its side too.
    if (!this.keepAlive) res.setHeader('connection', 'close');
    await delay(this.latencyMs);
    if (!res.destroyed) endpoint(req, res);
  }
}
