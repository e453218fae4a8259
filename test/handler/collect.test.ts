/**
 * handlers/collect.ts as Lambda runs it: the module loads with the function's environment (pointed at the
 * simulated cluster), then EventBridge invokes it with a Scheduled Event.
 */
import type { Context, ScheduledEvent } from 'aws-lambda';
import type { Simulation } from '../../sim';
import { collectorEnv, E2E_API_KEY, setProcessEnv, startStandardSimulation } from '../e2e/harness';
import scheduledEvent from './events/scheduled.json';
import { lambdaContext } from './lambdaContext';

type HandlerModule = typeof import('../../handlers/collect');
type SsmModule = typeof import('@aws-sdk/client-ssm');
type MockModule = typeof import('aws-sdk-client-mock');
type MiddyUtil = { clearCache(keys?: string[] | null): void };
type InvocationResult = { targets: number; scraped: number; posted: number; failed: number };

const KEY_PARAMETER = '/mackerel-ecs-collector/prod/mackerel-api-key';
/** Checks the captured fixture has the documented Scheduled Event shape before it is used as one. */
function asScheduledEvent(raw: unknown): ScheduledEvent {
  const e = raw as Partial<Record<keyof ScheduledEvent, unknown>>;
  const shaped =
    e['detail-type'] === 'Scheduled Event' &&
    e.source === 'aws.events' &&
    typeof e.time === 'string' &&
    Array.isArray(e.resources) &&
    typeof e.detail === 'object';
  if (!shaped) throw new Error('events/scheduled.json is not a Scheduled Event');
  return raw as ScheduledEvent;
}
const event = asScheduledEvent(scheduledEvent);

let sim: Simulation;
let restoreEnv: (() => void) | undefined;
let output: string[];
let clearMiddyCache: (() => void) | undefined;

beforeEach(async () => {
  sim = await startStandardSimulation();
  output = [];
  // Lambda ships stdout and stderr to CloudWatch Logs: capture both.
  const capture = (chunk: unknown): boolean => {
    output.push(String(chunk));
    return true;
  };
  jest.spyOn(process.stderr, 'write').mockImplementation(capture);
  jest.spyOn(process.stdout, 'write').mockImplementation(capture);
});
afterEach(async () => {
  jest.restoreAllMocks();
  // @middy/ssm re-fetches on a timer (cacheExpiry): clear it or the timer keeps jest alive for 15 minutes.
  clearMiddyCache?.();
  clearMiddyCache = undefined;
  restoreEnv?.();
  restoreEnv = undefined;
  await sim.stop();
});

/** Sets the function's environment, then loads the handler in a fresh registry (a cold start). */
function coldStart(env: Record<string, string | undefined>, beforeLoad?: () => void): HandlerModule['handler'] {
  restoreEnv = setProcessEnv(env);
  const loaded: HandlerModule[] = [];
  jest.isolateModules(() => {
    beforeLoad?.();
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a fresh registry needs require
    loaded.push(require('../../handlers/collect') as HandlerModule);
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the same registry's middy cache
    const util = require('@middy/util') as MiddyUtil;
    clearMiddyCache = () => util.clearCache();
  });
  const mod = loaded[0];
  if (!mod) throw new Error('handler module did not load');
  return mod.handler;
}

async function invoke(handler: HandlerModule['handler'], context: Context = lambdaContext()): Promise<InvocationResult> {
  // The middy-typed handler wants the field @middy/ssm sets; Lambda itself passes a plain Context.
  const ctx: Context & { mackerelApiKey: unknown } = Object.assign(context, { mackerelApiKey: undefined as unknown });
  return (await handler(event, ctx)) as InvocationResult;
}

function logLines(): { message?: string; [k: string]: unknown }[] {
  return output
    .join('')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { message?: string });
}

it('runs one cycle per Scheduled Event and returns the counts the receiver confirms', async () => {
  // Prepare
  const handler = coldStart(collectorEnv(sim));

  // Act
  const result = await invoke(handler);

  // Assess
  expect(result).toEqual({ targets: 10, scraped: 6, posted: sim.receiver.posted().length, failed: 3 });
  expect(result.posted).toBeGreaterThan(0);
});

it('logs one cycle summary line with the request id, and never the API key', async () => {
  // Prepare
  const handler = coldStart(collectorEnv(sim));

  // Act
  const result = await invoke(handler, lambdaContext(60_000, 'req-0001'));

  // Assess
  const summary = logLines().filter((l) => l.message === 'cycle summary');
  expect(summary).toHaveLength(1);
  expect(summary[0]).toMatchObject({ level: 'info', requestId: 'req-0001', targets: 10, posted: result.posted, failedCount: 3 });
  expect(output.length).toBeGreaterThan(1);
  expect(output.filter((l) => l.includes(E2E_API_KEY))).toEqual([]);
});

it('reads the API key from SSM (MACKEREL_API_KEY_PARAMETER, decrypted) and lands the values with it', async () => {
  // Prepare
  const ssmCalls: unknown[] = [];
  const handler = coldStart({ ...collectorEnv(sim), MACKEREL_API_KEY: undefined, MACKEREL_API_KEY_PARAMETER: KEY_PARAMETER }, () => {
    // Mocked inside the fresh registry: @middy/ssm builds (and prefetches with) its client when the handler loads.
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { SSMClient, GetParametersCommand } = require('@aws-sdk/client-ssm') as SsmModule;
    const { mockClient } = require('aws-sdk-client-mock') as MockModule;
    /* eslint-enable @typescript-eslint/no-require-imports */
    mockClient(SSMClient)
      .on(GetParametersCommand)
      .callsFake(async (input: unknown) => {
        ssmCalls.push(input);
        return { Parameters: [{ Name: KEY_PARAMETER, Type: 'SecureString', Value: E2E_API_KEY, Version: 3 }], InvalidParameters: [] };
      });
  });

  // Act
  const result = await invoke(handler);

  // Assess
  expect(ssmCalls).toEqual([{ Names: [KEY_PARAMETER], WithDecryption: true }]);
  expect(result.posted).toBeGreaterThan(0);
  expect(sim.receiver.posted()).toHaveLength(result.posted);
  expect(output.filter((l) => l.includes(E2E_API_KEY))).toEqual([]);
});

it('fails the invocation and logs every problem when the configuration is invalid', async () => {
  // Prepare
  const handler = coldStart({ ...collectorEnv(sim), ECS_CLUSTERS: undefined, METRIC_KEY: 'bogus' });

  // Act
  const outcome = invoke(handler);

  // Assess
  await expect(outcome).rejects.toMatchObject({ name: 'ConfigError' });
  const logged = logLines().find((l) => l.message === 'invalid configuration');
  expect(logged?.problems).toEqual([
    expect.stringMatching(/^ECS_CLUSTERS: required/),
    'METRIC_KEY: expected one of task, port, slot, got "bogus"',
  ]);
  expect(sim.receiver.requests()).toEqual([]);
});
