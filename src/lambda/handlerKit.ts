/**
 * The assembly both Lambda handlers share: middy, and when MACKEREL_API_KEY_PARAMETER is set, @middy/ssm reading
 * the key (GetParameters, decrypted) plus our own steps around it: one expires the cached key after
 * {@link API_KEY_CACHE_MS}, one awaits the read so that a failure is logged and thrown as an
 * {@link ApiKeyReadError} naming the parameter and the AWS error.
 *
 * Why not `setToContext: true`: then @middy/util awaits the value and throws "Failed to resolve internal
 * values", the real error buried in `cause.data[]`, and an ARN that @middy/ssm cannot match (it keys the answer
 * by the Name SSM returns, middyjs/middy#1529) silently gives `undefined`.
 * Why no prefetch and no middy `cacheExpiry` timer: both start a read that no invocation is awaiting. When SSM
 * refuses it, Lambda fails the unhandled rejection as Runtime.UnhandledPromiseRejection with none of this
 * context; and the refresh timer (re-armed on every refresh) keeps a local process (`serverless invoke local`)
 * from ever exiting. So the key is read inside an invocation, cached with no timer, and dropped from the cache
 * by the first invocation after it is older than API_KEY_CACHE_MS; that invocation reads it again. The cost is
 * one GetParameters round trip in the first invocation of a container and every 15 minutes.
 */
import middy, { type MiddlewareObj, type MiddyfiedHandler } from '@middy/core';
import ssm from '@middy/ssm';
import { clearCache } from '@middy/util';
import type { Context } from 'aws-lambda';
import type { Config } from '../config/config';
import { describeError, type ConfigError } from '../errors';
import { createLogger } from '../log';
import type { Result } from '../result';
import { ApiKeyReadError } from './errors';

/** How long a warm container keeps the key before reading it again (a rotated key is picked up within this). */
export const API_KEY_CACHE_MS = 15 * 60 * 1000;

/** The key's entry in @middy/util's process-wide cache (the default `ssm` is shared with any other user). */
const CACHE_KEY = 'mackerel-api-key';

/** The handler's own work, once the key (if read from SSM) is on `context.mackerelApiKey`. */
export type HandlerBody<TEvent, TResult> = (event: TEvent, context: Context) => Promise<TResult>;

/**
 * Wraps a handler body for Lambda. With an invalid configuration there is no parameter to read: the body runs
 * and reports the ConfigError itself (src/lambda/scheduled.ts `invocationSetup`).
 */
export function lambdaHandler<TEvent, TResult>(
  config: Result<Config, ConfigError>,
  body: HandlerBody<TEvent, TResult>,
  now: () => number = Date.now,
): MiddyfiedHandler<TEvent, TResult, Error, Context> {
  const base = middy<TEvent, TResult, Error, Context>();
  const parameter = config.ok ? config.value.mackerelApiKeyParameter : undefined;
  if (!config.ok || parameter === undefined) return base.handler(body);
  const age = { readAt: undefined as number | undefined };
  return base
    .use(apiKeyExpiry(age, now))
    .use(ssm({ fetchData: { mackerelApiKey: parameter }, cacheKey: CACHE_KEY, cacheExpiry: -1, disablePrefetch: true }))
    .use(apiKeyToContext(parameter, config.value, () => (age.readAt ??= now())))
    .handler(body);
}

/** Drops the cached key once it is older than API_KEY_CACHE_MS, so @middy/ssm reads it again in this invocation. */
function apiKeyExpiry(age: { readAt: number | undefined }, now: () => number): MiddlewareObj<unknown, unknown, Error, Context> {
  const apiKeyExpiryBefore = (): void => {
    if (age.readAt === undefined || now() - age.readAt < API_KEY_CACHE_MS) return;
    clearCache([CACHE_KEY]);
    age.readAt = undefined;
  };
  return { before: apiKeyExpiryBefore };
}

/** Awaits the key @middy/ssm started reading and puts it on the context, or logs and throws why it could not. */
function apiKeyToContext(parameter: string, config: Config, onRead: () => void): MiddlewareObj<unknown, unknown, Error, Context> {
  const apiKeyMiddlewareBefore = async (request: { internal: Record<string, unknown>; context: Context }): Promise<void> => {
    let failure: ApiKeyReadError | undefined;
    try {
      const value: unknown = await request.internal.mackerelApiKey;
      if (typeof value === 'string' && value !== '') {
        Object.assign(request.context, { mackerelApiKey: value });
        onRead();
        return;
      }
      failure = new ApiKeyReadError(parameter, noValueReason(parameter, value));
    } catch (e) {
      failure = new ApiKeyReadError(parameter, readFailureReason(parameter, e), { cause: e });
    }
    // Not cached: the next invocation reads again (the parameter or the policy may have been fixed by then).
    clearCache([CACHE_KEY]);
    const log = createLogger({ level: config.logLevel, base: request.context.awsRequestId ? { requestId: request.context.awsRequestId } : {} });
    log.error('cannot read the API key', { parameter, errorName: failure.name, reason: failure.reason });
    throw failure;
  };
  return { before: apiKeyMiddlewareBefore };
}

/** `InvalidParameter <name>`: how @middy/ssm reports a name GetParameters listed under `InvalidParameters`. */
function isNotFound(parameter: string, e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false;
  const { message, cause } = e as { message?: unknown; cause?: { package?: unknown } };
  return message === `InvalidParameter ${parameter}` && cause?.package === '@middy/ssm';
}

/** The AWS error in words: its name (AccessDeniedException, ThrottlingException, …) and message. */
function readFailureReason(parameter: string, e: unknown): string {
  if (isNotFound(parameter, e)) {
    // GetParameters does not fail for a missing name: it lists it under InvalidParameters (API reference).
    return 'ParameterNotFound: SSM GetParameters listed it under InvalidParameters (no parameter of that name in this account and Region; names are case-sensitive)';
  }
  const name = typeof e === 'object' && e !== null && typeof (e as { name?: unknown }).name === 'string' ? (e as { name: string }).name : '';
  const text = describeError(e);
  return name !== '' && name !== 'Error' && !text.startsWith(name) ? `${name}: ${text}` : text;
}

function noValueReason(parameter: string, value: unknown): string {
  if (value === undefined && parameter.startsWith('arn:')) {
    // SSM answers an ARN with the parameter's Name; @middy/ssm looks the answer up by what it asked (middyjs/middy#1529).
    return 'SSM answered, but @middy/ssm cannot match a parameter asked for by ARN to the name SSM returns: set the parameter name (e.g. /mackerel-ecs-collector/api-key)';
  }
  if (value === undefined || value === '') return 'SSM returned no value for it';
  return `its value is not a plain string (${Array.isArray(value) ? 'a StringList' : 'it parsed as JSON'}): store the key itself as a SecureString`;
}
