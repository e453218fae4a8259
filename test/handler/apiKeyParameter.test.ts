/**
 * Reading the Mackerel API key from SSM Parameter Store (MACKEREL_API_KEY_PARAMETER) through the real handlers
 * and @middy/ssm, against the simulator's SSM endpoint: when the read fails, the invocation fails with an error
 * and a log line that name the parameter and the AWS error, never middy's bare "Failed to resolve internal values".
 */
import type { Context } from 'aws-lambda';
import type { Simulation } from '../../sim';
import { API_KEY_CACHE_MS, lambdaHandler } from '../../src/lambda/handlerKit';
import { loadConfig } from '../../src/config/config';
import { collectorEnv, E2E_API_KEY, setProcessEnv, startStandardSimulation } from '../e2e/harness';
import { eventOf } from '../e2e/harness5';
import scheduledEvent from './events/scheduled.json';
import { lambdaContext } from './lambdaContext';

type Handler = (event: unknown, context: Context) => Promise<unknown>;
type MiddyUtil = { clearCache(keys?: string[] | null): void };

const PARAMETER = '/mackerel-ecs-collector/prod/mackerel-api-key';
const PARAMETER_ARN = `arn:aws:ssm:us-east-1:111122223333:parameter${PARAMETER}`;
const PREFIX = `cannot read the Mackerel API key from SSM parameter "${PARAMETER}" (MACKEREL_API_KEY_PARAMETER): `;

let sim: Simulation;
let output: string[];
let restoreEnv: (() => void) | undefined;
let clearMiddyCache: (() => void) | undefined;

beforeEach(async () => {
  sim = await startStandardSimulation();
  output = [];
  const capture = (chunk: unknown): boolean => (output.push(String(chunk)), true);
  jest.spyOn(process.stderr, 'write').mockImplementation(capture);
  jest.spyOn(process.stdout, 'write').mockImplementation(capture);
});
afterEach(async () => {
  jest.restoreAllMocks();
  clearMiddyCache?.();
  clearMiddyCache = undefined;
  restoreEnv?.();
  restoreEnv = undefined;
  await sim.stop();
});

/** Loads `handlers/<name>` in a fresh registry (a cold start) with the key to be read from `parameter`. */
function coldStart(name: 'collect' | 'refresh', parameter: string = PARAMETER): Handler {
  restoreEnv = setProcessEnv({ ...collectorEnv(sim), MACKEREL_API_KEY: undefined, MACKEREL_API_KEY_PARAMETER: parameter });
  let handler: Handler | undefined;
  jest.isolateModules(() => {
    /* eslint-disable @typescript-eslint/no-require-imports -- a fresh registry needs require */
    handler = (require(`../../handlers/${name}`) as { handler: Handler }).handler;
    const util = require('@middy/util') as MiddyUtil;
    /* eslint-enable @typescript-eslint/no-require-imports */
    clearMiddyCache = () => util.clearCache();
  });
  if (!handler) throw new Error(`handlers/${name} did not load`);
  return handler;
}

function logLines(): Record<string, unknown>[] {
  return output.join('').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('a key that cannot be read', () => {
  it('fails the invocation naming the parameter when it does not exist (GetParameters lists it as invalid)', async () => {
    // Prepare
    const handler = coldStart('collect');

    // Act
    const outcome = handler(scheduledEvent, lambdaContext(60_000, 'req-missing'));

    // Assess
    const reason = 'ParameterNotFound: SSM GetParameters listed it under InvalidParameters (no parameter of that name in this account and Region; names are case-sensitive)';
    await expect(outcome).rejects.toMatchObject({ name: 'ApiKeyReadError', message: PREFIX + reason });
    expect(logLines().filter((l) => l.message === 'cannot read the API key')).toEqual([
      expect.objectContaining({ level: 'error', requestId: 'req-missing', parameter: PARAMETER, errorName: 'ApiKeyReadError', reason }),
    ]);
    expect(sim.receiver.requests()).toEqual([]);
  });

  it('fails the invocation with the AWS error when the policy denies the parameter', async () => {
    // Prepare
    sim.ssm.putParameter(PARAMETER, E2E_API_KEY);
    sim.ssm.denyParameter(PARAMETER);
    const handler = coldStart('collect');

    // Act
    const outcome = handler(scheduledEvent, lambdaContext());

    // Assess
    const message =
      PREFIX +
      `AccessDeniedException: User: arn:aws:sts::111122223333:assumed-role/collector/fn is not authorized to perform: ssm:GetParameters on resource: ${PARAMETER_ARN} because no identity-based policy allows the ssm:GetParameters action`;
    await expect(outcome).rejects.toMatchObject({ name: 'ApiKeyReadError', message });
    expect(output.join('')).not.toContain('Failed to resolve internal values');
    expect(output.join('')).not.toContain(E2E_API_KEY);
  });

  it('says the refresh handler failed for the same reason, with the same words', async () => {
    // Prepare
    const handler = coldStart('refresh');

    // Act
    const outcome = handler(eventOf(sim, sim.tasks()[0] ?? fail('no task'), 'RUNNING'), lambdaContext(30_000));

    // Assess
    await expect(outcome).rejects.toMatchObject({ name: 'ApiKeyReadError', message: expect.stringMatching(/^cannot read the Mackerel API key from SSM parameter ".*" \(MACKEREL_API_KEY_PARAMETER\): ParameterNotFound: /) });
  });

  it('explains an ARN that @middy/ssm cannot match to the answer instead of running without a key', async () => {
    // Prepare
    sim.ssm.putParameter(PARAMETER, E2E_API_KEY);
    const handler = coldStart('collect', PARAMETER_ARN);

    // Act
    const outcome = handler(scheduledEvent, lambdaContext());

    // Assess
    await expect(outcome).rejects.toMatchObject({ name: 'ApiKeyReadError', message: expect.stringContaining(`SSM parameter "${PARAMETER_ARN}"`) });
    await expect(outcome).rejects.toMatchObject({ message: expect.stringContaining('set the parameter name') });
    expect(sim.receiver.requests()).toEqual([]);
  });
});

describe('a key that can be read', () => {
  it('reads it once per container, and again on the next invocation after a failed read', async () => {
    // Prepare
    sim.ssm.putParameter(PARAMETER, E2E_API_KEY);
    // Not retried by the SDK (a throttling error would be, and succeed on its second attempt).
    sim.ssm.failNext('GetParameters', 'AccessDeniedException', { message: 'simulated: policy not yet propagated' });
    const handler = coldStart('collect');

    // Act
    const first = handler(scheduledEvent, lambdaContext());
    await expect(first).rejects.toMatchObject({ message: PREFIX + 'AccessDeniedException: simulated: policy not yet propagated' });
    const second = (await handler(scheduledEvent, lambdaContext())) as { posted: number };
    const third = (await handler(scheduledEvent, lambdaContext())) as { posted: number };

    // Assess
    expect(second.posted).toBeGreaterThan(0);
    expect(third.posted).toBeGreaterThan(0);
    expect(sim.calls()['ssm:GetParameters']).toBe(2);
    expect(output.join('')).not.toContain(E2E_API_KEY);
  });

  it(`reads it again once it is older than ${API_KEY_CACHE_MS / 60_000} minutes (a rotated key is picked up)`, async () => {
    // Prepare
    sim.ssm.putParameter(PARAMETER, 'key-version-1');
    restoreEnv = setProcessEnv({ ...sim.env, MACKEREL_API_KEY: undefined, MACKEREL_API_KEY_PARAMETER: PARAMETER });
    let clock = 1_000_000;
    const seen: unknown[] = [];
    const handler = lambdaHandler(loadConfig(process.env), async (_event: unknown, context) => {
      seen.push((context as Context & { mackerelApiKey?: unknown }).mackerelApiKey);
      return 'ok';
    }, () => clock);
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- this registry's middy cache
    clearMiddyCache = () => (require('@middy/util') as MiddyUtil).clearCache();

    // Act
    await handler({}, lambdaContext());
    sim.ssm.putParameter(PARAMETER, 'key-version-2');
    clock += API_KEY_CACHE_MS - 1;
    await handler({}, lambdaContext());
    clock += 1;
    await handler({}, lambdaContext());

    // Assess
    expect(seen).toEqual(['key-version-1', 'key-version-1', 'key-version-2']);
    expect(sim.calls()['ssm:GetParameters']).toBe(2);
  });
});
