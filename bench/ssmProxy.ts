/**
 * A recording proxy in front of the simulator's SSM endpoint (AWS_ENDPOINT_URL_SSM points here instead). The
 * simulator counts calls but keeps no record of what GetCommandInvocation returned, and the collector in the child
 * runs unmodified (src/runtime.ts builds its own SSM client), so the benchmark reads the command output per
 * instance, the statuses polled and the script times from the responses as they pass by.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

/** What was seen of one instance's invocation of one command. Times in ms on performance.now()'s clock. */
export interface InvocationRecord {
  readonly commandId: string;
  readonly instanceId: string;
  /** When the SendCommand carrying it was answered. */
  readonly sentAt: number;
  /** GetCommandInvocation responses per Status (and `InvocationDoesNotExist` for the 400s before it was visible). */
  readonly polls: Record<string, number>;
  /** Set once a final status was returned. */
  final?: {
    readonly status: string;
    readonly seenAt: number;
    /** StandardOutputContent length in characters (= bytes: the framed output is ASCII). */
    readonly stdoutChars: number;
    /** Ends with the SSM Agent's `--output truncated--`: the output was cut at 24,000 characters. */
    readonly truncated: boolean;
    /** ExecutionStartDateTime / ExecutionEndDateTime, epoch ms (the simulator's clock, same machine). */
    readonly scriptStart: number;
    readonly scriptEnd: number;
  };
}

/** What one cycle did through the proxy. */
export interface SsmTrace {
  /** performance.timeOrigin + performance.now() = epoch ms, to line script times up with `sentAt`/`seenAt`. */
  readonly timeOrigin: number;
  readonly sendCommands: number;
  readonly getInvocations: number;
  readonly invocations: readonly InvocationRecord[];
}

/** A running proxy; `url` replaces AWS_ENDPOINT_URL_SSM. */
export interface SsmProxy {
  readonly url: string;
  /** Forgets everything recorded (call before a cycle). */
  reset(): void;
  trace(): SsmTrace;
  close(): Promise<void>;
}

const FINAL = new Set(['Success', 'Failed', 'TimedOut', 'Cancelled']);
const TRUNCATED_SUFFIX = '--output truncated--';

type Json = Record<string, unknown>;

function parseJson(text: string): Json {
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {};
  } catch {
    return {};
  }
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Starts the proxy in front of `target` (`http://127.0.0.1:port`). */
export async function startSsmProxy(target: string): Promise<SsmProxy> {
  const upstreamUrl = new URL(target);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  let invocations = new Map<string, InvocationRecord>();
  let sendCommands = 0;
  let getInvocations = 0;

  const record = (action: string, request: Json, status: number, response: Json): void => {
    const now = performance.now();
    if (action === 'SendCommand') {
      sendCommands++;
      const command = (response.Command ?? {}) as Json;
      const ids = Array.isArray(command.InstanceIds) ? command.InstanceIds.map(str) : [];
      for (const instanceId of ids) {
        const commandId = str(command.CommandId);
        invocations.set(`${commandId}/${instanceId}`, { commandId, instanceId, sentAt: now, polls: {} });
      }
      return;
    }
    if (action !== 'GetCommandInvocation') return;
    getInvocations++;
    const inv = invocations.get(`${str(request.CommandId)}/${str(request.InstanceId)}`);
    if (!inv) return;
    const outcome = status === 200 ? str(response.Status) : str(response.__type) || `HTTP ${status}`;
    inv.polls[outcome] = (inv.polls[outcome] ?? 0) + 1;
    if (status === 200 && FINAL.has(outcome) && inv.final === undefined) {
      const stdout = str(response.StandardOutputContent);
      inv.final = {
        status: outcome,
        seenAt: now,
        stdoutChars: stdout.length,
        truncated: stdout.endsWith(TRUNCATED_SUFFIX),
        scriptStart: Date.parse(str(response.ExecutionStartDateTime)),
        scriptEnd: Date.parse(str(response.ExecutionEndDateTime)),
      };
    }
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const action = String(req.headers['x-amz-target'] ?? '').replace(/^AmazonSSM\./, '');
      const upstream = http.request(
        { agent, host: upstreamUrl.hostname, port: upstreamUrl.port, method: req.method, path: req.url, headers: req.headers },
        (up) => {
          const out: Buffer[] = [];
          up.on('data', (c: Buffer) => out.push(c));
          up.on('end', () => {
            const text = Buffer.concat(out);
            record(action, parseJson(body.toString('utf8')), up.statusCode ?? 0, parseJson(text.toString('utf8')));
            res.writeHead(up.statusCode ?? 502, up.headers);
            res.end(text);
          });
        },
      );
      upstream.on('error', () => res.destroy());
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    reset: () => {
      invocations = new Map();
      sendCommands = 0;
      getInvocations = 0;
    },
    trace: () => ({ timeOrigin: performance.timeOrigin, sendCommands, getInvocations, invocations: [...invocations.values()] }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        agent.destroy();
      }),
  };
}
