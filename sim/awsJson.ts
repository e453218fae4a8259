/**
 * The AWS JSON 1.1 protocol shared by the simulated ECS and SSM endpoints: `POST /`,
 * `X-Amz-Target: <Service>.<Action>`, `Content-Type: application/x-amz-json-1.1`; errors are HTTP 4xx/5xx with
 * `{"__type":"<Code>","message":…}`, which the SDK turns into exceptions named after `__type`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { hasSigV4, requestId, type AwsControl } from './awsControl';
import { delay, readBody } from './httpServer';

const CONTENT_TYPE = 'application/x-amz-json-1.1';

/** An error response in the JSON 1.1 error shape. */
export class AwsJsonError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** A request body, always a JSON object. */
export type JsonInput = Record<string, unknown>;

/** How one service's endpoint differs from the others. */
export interface AwsJsonService {
  /** e.g. `AmazonSSM.` */
  readonly targetPrefix: string;
  readonly actions: Readonly<Record<string, (input: JsonInput) => string>>;
  /** `__type` of an unexpected failure (ECS: ServerException, SSM: InternalServerError). */
  readonly serverErrorCode: string;
  /** Message of the SerializationException for a body that is not a JSON object. */
  readonly notAnObjectMessage: string;
}

/** A request handler for `listenHttp`: counts, delays and injects errors through `control`. */
export function awsJsonHandler(service: AwsJsonService, control: AwsControl) {
  return (req: IncomingMessage, res: ServerResponse): void => void handle(service, control, req, res);
}

async function handle(service: AwsJsonService, control: AwsControl, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const target = String(req.headers['x-amz-target'] ?? '');
  const action = target.startsWith(service.targetPrefix) ? target.slice(service.targetPrefix.length) : '';
  let status = 200;
  let body: string;
  try {
    const raw = await readBody(req);
    control.count(action || 'unknown');
    await delay(control.latencyMs);
    if (req.method !== 'POST') throw new AwsJsonError('UnknownOperationException', 'Only POST is supported');
    if (!hasSigV4(req)) throw new AwsJsonError('MissingAuthenticationTokenException', 'Missing Authentication Token', 403);
    const run = service.actions[action];
    if (!run) throw new AwsJsonError('UnknownOperationException', `Unknown operation ${target}`);
    const injected = control.takeError(action);
    if (injected) throw new AwsJsonError(injected.code, injected.message, injected.status);
    body = run(parseInput(raw, service.notAnObjectMessage));
  } catch (e) {
    const error = e instanceof AwsJsonError ? e : new AwsJsonError(service.serverErrorCode, String(e), 500);
    status = error.status;
    body = JSON.stringify({ __type: error.code, message: error.message });
  }
  if (res.destroyed) return;
  res.writeHead(status, { 'content-type': CONTENT_TYPE, 'content-length': Buffer.byteLength(body), 'x-amzn-requestid': requestId() });
  res.end(body);
}

function parseInput(raw: string, notAnObject: string): JsonInput {
  try {
    const parsed: unknown = raw.length === 0 ? {} : JSON.parse(raw);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as JsonInput;
  } catch {
    // fall through to the same error as a non-object body
  }
  throw new AwsJsonError('SerializationException', notAnObject);
}
