/**
 * A loopback HTTP proxy that delays every request by a fixed time before handing it to the simulator's
 * Mackerel receiver. startSimulation() has no Mackerel latency option (the receiver itself has one), and on
 * loopback a host lookup costs ~1 ms, while from a Lambda it is a TLS round trip to api.mackerelio.com:
 * `--mackerel-latency` shows what that does to the host-lookup and posting phases.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A running proxy; `url` replaces MACKEREL_API_BASE. */
export interface LatencyProxy {
  readonly url: string;
  close(): Promise<void>;
}

/** Starts the proxy in front of `targetBase` (`http://127.0.0.1:port`). */
export async function startLatencyProxy(targetBase: string, latencyMs: number): Promise<LatencyProxy> {
  const target = new URL(targetBase);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      setTimeout(() => {
        const upstream = http.request(
          { agent, host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
          (up) => {
            res.writeHead(up.statusCode ?? 502, up.headers);
            up.pipe(res);
          },
        );
        upstream.on('error', () => res.destroy());
        upstream.end(Buffer.concat(chunks));
      }, latencyMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        agent.destroy();
      }),
  };
}
