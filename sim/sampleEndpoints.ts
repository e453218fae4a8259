/**
 * What each sample-service kind answers (see `SampleKind`). Healthy kinds serve only their path (others get
 * Go's `404 page not found`); faulty kinds reproduce what the collector must survive.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gostatsSource, pluginTextSource, prometheusSource } from './sampleBodies';
import type { SampleKind } from './specs';

/** Handles requests arriving at one task's host port. `hang` endpoints never answer. */
export type SampleEndpoint = (req: IncomingMessage, res: ServerResponse) => void;

/** Size of the `oversized` body: well above any sane scrape cap (MAX_BODY_BYTES). */
export const OVERSIZED_BYTES = 8 * 1024 * 1024;
const CHUNK = 'big_series_total{shard="0000"} 1\n'.repeat(2048);

/** Default path per kind: `/api/stats` for gostats (golang-stats-api-handler), `/metrics` otherwise. */
export function defaultPath(kind: SampleKind): string {
  return kind === 'gostats' || kind === 'malformed' ? '/api/stats' : '/metrics';
}

/** Builds the endpoint for a kind serving `path`; `seed` varies the values between services. */
export function createEndpoint(kind: SampleKind, path: string, seed: number): SampleEndpoint {
  const onPath = (serve: SampleEndpoint): SampleEndpoint => (req, res) => {
    const pathname = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') return reply(res, 405, 'text/plain', 'method not allowed\n');
    if (pathname !== path) return reply(res, 404, 'text/plain; charset=utf-8', '404 page not found\n');
    serve(req, res);
  };
  switch (kind) {
    case 'gostats': {
      const next = gostatsSource(seed);
      return onPath((_req, res) => reply(res, 200, 'application/json', next()));
    }
    case 'plugin': {
      const next = pluginTextSource(seed);
      return onPath((_req, res) => reply(res, 200, 'text/plain; charset=utf-8', next()));
    }
    case 'prometheus': {
      const source = prometheusSource(seed);
      return onPath((_req, res) => {
        source.body().then(
          (text) => reply(res, 200, source.contentType, text),
          () => reply(res, 500, 'text/plain', 'registry failed\n'),
        );
      });
    }
    case 'malformed':
      // Truncated mid-object, as from a process killed while writing.
      return onPath((_req, res) => reply(res, 200, 'application/json', '{"time":1767225600123456789,"go_version":"go1.22.5","goroutine_num":4'));
    case 'html':
      return onPath((_req, res) =>
        reply(res, 200, 'text/html; charset=utf-8', '<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>\n'),
      );
    case 'http500':
      return onPath((_req, res) => reply(res, 500, 'text/plain; charset=utf-8', 'internal server error\n'));
    case 'oversized':
      return onPath((_req, res) => streamOversized(res));
    case 'hang':
      // Accepts the request and never answers; the socket is destroyed by the client's timeout or at stop().
      return () => undefined;
    case 'plain':
      return (_req, res) => reply(res, 200, 'text/plain; charset=utf-8', 'ok\n');
    case 'quirky':
      return onPath((_req, res) => reply(res, 200, 'text/plain; version=0.0.4; charset=utf-8', QUIRKY_BODY));
    case 'refuse':
      // Never listens (the port was closed); kept total for the type checker.
      return (req) => req.socket.destroy();
  }
}

/**
 * The `quirky` body: `city_temperature_celsius` names 東京 and 大阪 apart (digest form); `win_path` has an unknown
 * escape Prometheus keeps as written; `up{` cannot be read at all (skipped, counted); `queue_depth{queue="mail"}`
 * and `queue_depth{topic="mail"}` are the same values under other label names, so both map to `queue_depth.mail`:
 * a name collision the collector must report.
 */
export const QUIRKY_BODY = [
  '# HELP city_temperature_celsius Temperature per city.',
  '# TYPE city_temperature_celsius gauge',
  'city_temperature_celsius{name="東京"} 12.5',
  'city_temperature_celsius{name="大阪"} 14',
  '# TYPE win_path gauge',
  'win_path{p="C:\\Windows\\x"} 1',
  'win_path{p="C:\\Program Files"} 2',
  'up{ 1',
  '# TYPE queue_depth gauge',
  'queue_depth{queue="mail"} 3',
  'queue_depth{topic="mail"} 4',
  '',
].join('\n');

function reply(res: ServerResponse, status: number, contentType: string, body: string): void {
  if (res.destroyed) return;
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** Streams OVERSIZED_BYTES of valid Prometheus text without holding it in memory; stops if the client leaves. */
function streamOversized(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
  let sent = 0;
  const pump = (): void => {
    while (sent < OVERSIZED_BYTES && !res.destroyed) {
      sent += CHUNK.length;
      if (!res.write(CHUNK)) {
        res.once('drain', pump);
        return;
      }
    }
    if (!res.destroyed) res.end();
  };
  pump();
}
