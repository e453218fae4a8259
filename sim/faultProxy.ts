/**
 * A fault-injecting HTTP proxy on 127.0.0.1, put in front of the Mackerel receiver (or a simulated AWS
 * endpoint) by pointing the collector's base URL at it. Every request is forwarded unchanged unless a rule
 * matches: then it is answered with a status of our choosing (with headers and a body, e.g. `Retry-After`
 * or a non-JSON 200), never answered (`hang`), dropped (`reset`), or answered by a function (a forged
 * ListTasks page). `refuse()` stops listening so connections are refused; `accept()` listens again on the
 * same port. Every `POST /api/v0/tsdb` body is recorded whatever happens to it: that is what the collector
 * tried to send, the fault suite's "produced" set.
 */
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MetricValue } from '../src/types';
import { closeServer, readBody } from './httpServer';

/** What the proxy does with a matching request. */
export type FaultAction =
  | { readonly kind: 'pass' }
  | { readonly kind: 'status'; readonly status: number; readonly headers?: Readonly<Record<string, string>>; readonly body?: string }
  | { readonly kind: 'hang' }
  | { readonly kind: 'reset' }
  | { readonly kind: 'respond'; respond(req: ProxiedRequest): { status: number; headers?: Record<string, string>; body: string } }
  /** Forwards, then replaces the upstream's response body (e.g. frames appended to SSM output). */
  | { readonly kind: 'rewrite'; rewrite(body: string): string };

/** A request as rules see it. */
export interface ProxiedRequest {
  readonly method: string;
  /** Path with query string. */
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

/** One rule: requests whose path starts with `prefix` (and, when given, match `when`) get `action`. */
export interface FaultRule {
  readonly prefix: string;
  readonly method?: string;
  readonly when?: (req: ProxiedRequest) => boolean;
  readonly action: FaultAction;
  /** How many matching requests the rule applies to (default: every one). */
  readonly times?: number;
}

/** One request as the proxy saw it; `status` 0 = hung or reset. */
export interface ProxyRecord {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  /** The `X-Amz-Target` header (AWS JSON endpoints), else empty. */
  readonly target: string;
}

/** The running proxy. */
export interface FaultProxy {
  readonly url: string;
  /** Replaces the rules (first match wins). */
  setRules(rules: readonly FaultRule[]): void;
  /** Closes the listening socket (and open connections): new connections are refused. */
  refuse(): Promise<void>;
  /** Listens again on the same port. */
  accept(): Promise<void>;
  /** Every metric value found in a `POST /api/v0/tsdb` body, forwarded or not, in order. */
  sentValues(): MetricValue[];
  requests(): ProxyRecord[];
  close(): Promise<void>;
}

/** Starts a proxy in front of `upstream` (e.g. `http://127.0.0.1:41234`). */
export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  const up = new URL(upstream);
  if (!up.hostname.startsWith('127.')) throw new Error(`fault proxy upstream must be on loopback, got ${up.hostname}`);
  let rules: { rule: FaultRule; left: number }[] = [];
  const sent: MetricValue[] = [];
  const records: ProxyRecord[] = [];

  const pick = (req: ProxiedRequest): FaultAction | undefined => {
    const hit = rules.find(
      (r) => r.left > 0 && req.path.startsWith(r.rule.prefix) && (r.rule.method === undefined || r.rule.method === req.method) && (r.rule.when?.(req) ?? true),
    );
    if (!hit) return undefined;
    hit.left -= 1;
    return hit.rule.action;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readBody(req, 64 * 1024 * 1024).catch(() => undefined);
    const seen: ProxiedRequest = { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, body: body ?? '' };
    const target = String(req.headers['x-amz-target'] ?? '');
    const record = (status: number): void => void records.push({ method: seen.method, path: seen.path, status, target });
    if (seen.method === 'POST' && seen.path.startsWith('/api/v0/tsdb')) recordValues(seen.body, sent);
    const action = body === undefined ? ({ kind: 'status', status: 413 } as const) : (pick(seen) ?? { kind: 'pass' });
    switch (action.kind) {
      case 'hang':
        return record(0);
      case 'reset':
        record(0);
        req.socket.destroy();
        return;
      case 'status': {
        record(action.status);
        const text = action.body ?? JSON.stringify({ error: { message: `fault proxy: ${action.status}` } });
        res.writeHead(action.status, { 'content-type': 'application/json', ...action.headers, 'content-length': Buffer.byteLength(text) });
        res.end(text);
        return;
      }
      case 'respond': {
        const out = action.respond(seen);
        record(out.status);
        res.writeHead(out.status, { ...out.headers, 'content-length': Buffer.byteLength(out.body) });
        res.end(out.body);
        return;
      }
      case 'pass':
        return forward(up, seen, res, record);
      case 'rewrite':
        return forward(up, seen, res, record, action.rewrite);
    }
  };

  const server = createServer((req, res) => void handle(req, res));
  server.keepAliveTimeout = 2000;
  const listen = (port: number): Promise<void> =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  await listen(0);
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    setRules: (next) => {
      rules = next.map((rule) => ({ rule, left: rule.times ?? Number.POSITIVE_INFINITY }));
    },
    refuse: () => closeServer(server),
    accept: () => (server.listening ? Promise.resolve() : listen(port)),
    sentValues: () => [...sent],
    requests: () => [...records],
    close: () => closeServer(server),
  };
}

function recordValues(body: string, into: MetricValue[]): void {
  try {
    const parsed: unknown = JSON.parse(body);
    if (!Array.isArray(parsed)) return;
    for (const v of parsed) {
      if (typeof v === 'object' && v !== null && typeof v.hostId === 'string' && typeof v.name === 'string' && typeof v.time === 'number') {
        into.push(v as MetricValue);
      }
    }
  } catch {
    // not JSON: nothing the receiver could store either
  }
}

function forward(up: URL, seen: ProxiedRequest, res: ServerResponse, record: (status: number) => void, rewrite?: (body: string) => string): void {
  const headers = { ...seen.headers, host: up.host };
  const out = request({ host: up.hostname, port: up.port, method: seen.method, path: seen.path, headers }, (upRes) => {
    record(upRes.statusCode ?? 0);
    if (rewrite === undefined) {
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      upRes.pipe(res);
      return;
    }
    const chunks: Buffer[] = [];
    upRes.on('data', (c: Buffer) => chunks.push(c));
    upRes.on('end', () => {
      const body = rewrite(Buffer.concat(chunks).toString('utf8'));
      const { 'content-length': _len, 'transfer-encoding': _te, ...rest } = upRes.headers;
      res.writeHead(upRes.statusCode ?? 502, { ...rest, 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  out.on('error', () => {
    record(502);
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
    res.end('{"error":{"message":"fault proxy: upstream unreachable"}}');
  });
  out.end(seen.body);
}
