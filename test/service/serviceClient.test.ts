import { startMackerelReceiver, type MackerelReceiver } from '../../sim/mackerelReceiver';
import { describeError } from '../../src/errors';
import { MackerelAuthError, MackerelError } from '../../src/mackerel/errors';
import { createServiceMetricsClient, type ServiceMetricsClientOptions } from '../../src/mackerel/serviceClient';
import type { Result } from '../../src/result';
import { aggregateServiceMetrics } from '../../src/service/aggregate';

const KEY = 'svc-key-0123456789SECRET';
const now = (): number => Math.floor(Date.now() / 1000);

function failure<T, E>(result: Result<T, E>): E {
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result.value)}`);
  return result.error;
}

describe('service metrics client against the Mackerel receiver', () => {
  let receiver: MackerelReceiver;
  const client = (over: Partial<ServiceMetricsClientOptions> = {}) =>
    createServiceMetricsClient({ apiKey: KEY, baseUrl: receiver.url, timeoutMs: 1000, baseDelayMs: 1, maxDelayMs: 5, rateLimitBaseDelayMs: 2, rateLimitMaxDelayMs: 10, ...over });

  beforeAll(async () => {
    receiver = await startMackerelReceiver({ apiKey: KEY, services: ['ecs', 'other'] });
  });
  afterAll(() => receiver.close());
  beforeEach(() => receiver.reset());

  it("posts a cycle's aggregate to POST /api/v0/services/{name}/tsdb, where the receiver accepts every value", async () => {
    // Prepare
    const { values } = aggregateServiceMetrics(
      [{ cluster: 'prod', service: 'api', family: 'api', taskId: 'a', prefix: 'gostats', values: [{ graph: 'runtime', metric: 'goroutine_num', value: 12, time: now() }] }],
      [{ cluster: 'prod', service: 'api', family: 'api', taskId: 'a' }],
      { nowS: now() },
    );

    // Act
    const result = await client().postServiceMetrics('ecs', values);

    // Assess
    expect(result).toEqual({ ok: true, value: undefined });
    expect(receiver.serviceMetrics().map(({ service, name, value }) => ({ service, name, value }))).toEqual([
      { service: 'ecs', name: 'ecs.prod.api.gostats.runtime.goroutine_num.avg', value: 12 },
      { service: 'ecs', name: 'ecs.prod.api.gostats.runtime.goroutine_num.sum', value: 12 },
      { service: 'ecs', name: 'ecs.prod.api.tasks.running', value: 1 },
    ]);
  });

  it('waits and retries after a 429 (per-minute cap), then succeeds', async () => {
    // Prepare
    receiver.failNext('/api/v0/services/ecs/tsdb', 429, 1);

    // Act
    const result = await client().postServiceMetrics('ecs', [{ name: 'ecs.prod.api.tasks.running', time: now(), value: 2 }]);

    // Assess
    expect(result.ok).toBe(true);
    expect(receiver.requests().map((r) => r.status)).toEqual([429, 200]);
    expect(receiver.serviceMetrics()).toHaveLength(1);
  });

  it('gives up after its attempts when every try is rate limited', async () => {
    // Prepare
    receiver.failNext('/api/v0/services/ecs/tsdb', 429, 10);

    // Act
    const e = failure(await client({ maxAttempts: 2 }).postServiceMetrics('ecs', [{ name: 'x.y', time: now(), value: 1 }]));

    // Assess
    expect(e).toBeInstanceOf(MackerelError);
    expect(e).toMatchObject({ status: 429, attempts: 2 });
    expect(receiver.serviceMetrics()).toEqual([]);
  });

  it('says the Mackerel service does not exist on a 404, without retrying', async () => {
    // Act
    const e = failure(await client().postServiceMetrics('missing', [{ name: 'x.y', time: now(), value: 1 }]));

    // Assess
    expect(e.message).toBe('Mackerel service missing does not exist (create it or fix MACKEREL_SERVICE)');
    expect(e.status).toBe(404);
    expect(receiver.requests()).toHaveLength(1);
  });

  it('refuses an invalid service name without sending anything', async () => {
    // Act
    const e = failure(await client().postServiceMetrics('e', [{ name: 'x.y', time: now(), value: 1 }]));

    // Assess
    expect(e.message).toMatch(/invalid Mackerel service name "e"/);
    expect(receiver.requests()).toEqual([]);
  });

  it('posts 2,500 values in batches of at most 1,000 and never sends NaN or a bad name', async () => {
    // Prepare
    const t = now();
    const values = Array.from({ length: 2500 }, (_, i) => ({ name: `ecs.prod.api.g.m${i}.sum`, time: t, value: i }));

    // Act
    const result = await client().postServiceMetrics('ecs', [...values, { name: 'bad name', time: t, value: 1 }, { name: 'ok.nan', time: t, value: NaN }]);

    // Assess
    expect(result.ok).toBe(true);
    expect(receiver.requests()).toHaveLength(3);
    expect(receiver.serviceMetrics()).toHaveLength(2500);
  });

  it('reports a wrong key as MackerelAuthError and never puts the key in the message', async () => {
    // Act
    const e = failure(await client({ apiKey: 'wrong-key-SECRET' }).postServiceMetrics('ecs', [{ name: 'x.y', time: now(), value: 1 }]));

    // Assess
    expect(e).toBeInstanceOf(MackerelAuthError);
    expect(e.status).toBe(401);
    expect(describeError(e)).not.toContain('wrong-key-SECRET');
    expect(receiver.requests()).toHaveLength(1);
  });

  it.each([
    [[{ hostId: '3Wxyz9AbCdE', name: 'ecs.x', time: 0, value: 1 }], 400, /unexpected key "hostId"/],
    [[{ name: 'custom metric', time: 0, value: 1 }], 400, /invalid metric name/],
    [{ name: 'ecs.x' }, 400, /must be a JSON array/],
  ])('the receiver refuses a service metric body %j', async (body, status, message) => {
    // Prepare: fill in a current time where the body has one
    const sent = Array.isArray(body) ? body.map((v) => ({ ...v, time: now() })) : body;

    // Act
    const res = await fetch(`${receiver.url}/api/v0/services/ecs/tsdb`, {
      method: 'POST',
      headers: { 'x-api-key': KEY, 'content-type': 'application/json' },
      body: JSON.stringify(sent),
    });

    // Assess
    expect(res.status).toBe(status);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(message);
    expect(receiver.serviceMetrics()).toEqual([]);
  });
});
