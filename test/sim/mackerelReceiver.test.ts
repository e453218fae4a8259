import { startMackerelReceiver, type MackerelReceiver } from '../../sim/mackerelReceiver';

const KEY = 'test-key';
const errorMessage = (json: unknown): string => (json as { error: { message: string } }).error.message;
const INSTANCE = 'i-0a510000000000001';

describe('Mackerel API receiver', () => {
  let receiver: MackerelReceiver;
  let hostId: string;
  const now = (): number => Math.floor(Date.now() / 1000);

  const call = async (method: string, path: string, body?: unknown, key = KEY): Promise<{ status: number; json: unknown }> => {
    const res = await fetch(receiver.url + path, {
      method,
      headers: { 'x-api-key': key, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      signal: AbortSignal.timeout(2000),
    });
    return { status: res.status, json: await res.json() };
  };
  const metric = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
    hostId,
    name: 'custom.gostats.api-3f2a9c1e.runtime.goroutine_num',
    time: now(),
    value: 42,
    ...over,
  });

  beforeAll(async () => {
    receiver = await startMackerelReceiver({ apiKey: KEY });
    hostId = receiver.addHost(INSTANCE, '127.0.1.1').id;
  });
  afterAll(() => receiver.close());
  beforeEach(() => receiver.reset());

  it('registers EC2 hosts the way mackerel-agent does', () => {
    const host = receiver.hostByInstance(INSTANCE);
    expect(host).toMatchObject({
      customIdentifier: `${INSTANCE}.ec2.amazonaws.com`,
      status: 'working',
      isRetired: false,
      roles: {},
      meta: { cloud: { provider: 'ec2', metadata: { 'instance-id': INSTANCE } } },
    });
    expect(host?.id).toMatch(/^[1-9A-HJ-NP-Za-km-z]{11}$/);
  });

  it('finds a host by custom identifier, and answers 404 for an unknown one', async () => {
    const found = await call('GET', `/api/v0/hosts-by-custom-identifier/${encodeURIComponent(`${INSTANCE}.ec2.amazonaws.com`)}`);
    const missing = await call('GET', `/api/v0/hosts-by-custom-identifier/${encodeURIComponent('i-0ffffffffffffffff.ec2.amazonaws.com')}`);
    expect(found).toMatchObject({ status: 200, json: { host: { id: hostId } } });
    expect(missing).toMatchObject({ status: 404, json: { error: { message: expect.any(String) } } });
  });

  it('lists hosts by customIdentifier, working and standby only unless asked', async () => {
    const q = `customIdentifier=${encodeURIComponent(`${INSTANCE}.ec2.amazonaws.com`)}`;
    expect((await call('GET', `/api/v0/hosts?${q}`)).json).toMatchObject({ hosts: [{ id: hostId }] });
    expect((await call('GET', `/api/v0/hosts?${q}&status=poweroff`)).json).toEqual({ hosts: [] });
    expect((await call('GET', '/api/v0/hosts?customIdentifier=nobody')).json).toEqual({ hosts: [] });
  });

  it('accepts valid metric values and records them', async () => {
    const values = [metric(), metric({ name: 'custom.gostats.api-3f2a9c1e.memory.memory_alloc', value: 8.5e6 })];
    const res = await call('POST', '/api/v0/tsdb', values);
    expect(res).toEqual({ status: 200, json: { success: true } });
    expect(receiver.posted()).toEqual(values);
    expect(receiver.requests()).toEqual([expect.objectContaining({ method: 'POST', path: '/api/v0/tsdb', status: 200 })]);
  });

  it.each([
    ['a name without custom.', { name: 'gostats.runtime.goroutine_num' }, /invalid metric name/],
    ['a wildcard in a value name', { name: 'custom.gostats.*.runtime' }, /invalid metric name/],
    ['a null (NaN) value', { value: null }, /not a finite number/],
    ['a string value', { value: 'NaN' }, /not a finite number/],
    ['milliseconds as time', { time: Date.now() }, /in the future/],
    ['a time older than 24 h', { time: Math.floor(Date.now() / 1000) - 90_000 }, /older than 24 hours/],
    ['a fractional time', { time: Math.floor(Date.now() / 1000) + 0.5 }, /integer epoch seconds/],
    ['an unknown host', { hostId: 'unknownHost' }, /unknown or retired hostId/],
    ['an extra key', { hostID: 'x' }, /unexpected key "hostID"/],
  ])('rejects %s with 400 naming the item', async (_what, over, message) => {
    const res = await call('POST', '/api/v0/tsdb', [metric(), metric(over)]);
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ error: { message: expect.stringMatching(/^item 1/) } });
    expect(errorMessage(res.json)).toMatch(message);
    expect(receiver.posted()).toEqual([]);
  });

  it('rejects a wrong API key with 401 and records nothing', async () => {
    const res = await call('POST', '/api/v0/tsdb', [metric()], 'wrong-key');
    expect(res).toEqual({ status: 401, json: { error: { message: expect.any(String) } } });
    expect(receiver.posted()).toEqual([]);
    expect(receiver.requests()[0]?.status).toBe(401);
  });

  it('refuses posts to a retired host', async () => {
    const other = receiver.addHost('i-0a510000000000002', '127.0.1.2');
    receiver.retireHost('i-0a510000000000002');
    const res = await call('POST', '/api/v0/tsdb', [metric({ hostId: other.id })]);
    expect(res.status).toBe(400);
  });

  it('accepts graph definitions with # and a final * and records them', async () => {
    const defs = [
      {
        name: 'custom.gostats.#.runtime',
        displayName: 'Go runtime',
        unit: 'integer',
        metrics: [{ name: 'custom.gostats.#.runtime.goroutine_num', displayName: '%1 goroutines', isStacked: false }],
      },
      { name: 'custom.prom.#.http_requests_total', unit: 'float', metrics: [{ name: 'custom.prom.#.http_requests_total.*' }] },
    ];
    expect(await call('POST', '/api/v0/graph-defs/create', defs)).toEqual({ status: 200, json: { success: true } });
    expect(receiver.graphDefs()).toEqual(defs);
  });

  it.each([
    ['a name without custom.', { name: 'gostats.#.runtime' }, /invalid graph name/],
    ['an unknown unit', { unit: 'requests' }, /invalid unit/],
    ['two # in one name', { name: 'custom.#.#.runtime', metrics: [{ name: 'custom.#.#.runtime.x' }] }, /at most one #/],
    ['a metric outside the graph', { metrics: [{ name: 'custom.other.#.runtime.x' }] }, /graph name plus one node/],
    ['a metric two nodes deeper', { metrics: [{ name: 'custom.gostats.#.runtime.a.b' }] }, /graph name plus one node/],
    ['a final # not in the graph name', { name: 'custom.gostats.runtime', metrics: [{ name: 'custom.gostats.runtime.#' }] }, /# must appear/],
    ['a misspelt key', { label: 'Go runtime' }, /unexpected key "label"/],
    ['no metrics', { metrics: [] }, /non-empty/],
  ])('rejects a graph definition with %s', async (_what, over, message) => {
    const def = { name: 'custom.gostats.#.runtime', unit: 'integer', metrics: [{ name: 'custom.gostats.#.runtime.goroutine_num' }], ...over };
    const res = await call('POST', '/api/v0/graph-defs/create', [def]);
    expect(res.status).toBe(400);
    expect(errorMessage(res.json)).toMatch(message);
    expect(receiver.graphDefs()).toEqual([]);
  });

  it('fails the next requests of a route as told, then answers normally', async () => {
    receiver.failNext('/api/v0/tsdb', 503, 2);
    const first = await call('POST', '/api/v0/tsdb', [metric()]);
    const second = await call('POST', '/api/v0/tsdb', [metric()]);
    const third = await call('POST', '/api/v0/tsdb', [metric()]);
    expect([first.status, second.status, third.status]).toEqual([503, 503, 200]);
    expect(receiver.posted()).toHaveLength(1);
  });

  it('can hang a request until the client gives up, and reset a connection', async () => {
    receiver.failNext('/api/v0/tsdb', 'hang');
    const hung = fetch(`${receiver.url}/api/v0/tsdb`, {
      method: 'POST',
      headers: { 'x-api-key': KEY, 'content-type': 'application/json' },
      body: JSON.stringify([metric()]),
      signal: AbortSignal.timeout(200),
    });
    await expect(hung).rejects.toThrow();
    receiver.failNext('/api/v0/graph-defs', 'reset');
    await expect(call('POST', '/api/v0/graph-defs/create', [])).rejects.toThrow();
    expect(receiver.requests().map((r) => r.status)).toEqual([0, 0]);
  });

  it('rejects a body that is not JSON or has no JSON content type', async () => {
    expect((await call('POST', '/api/v0/tsdb', '[{')).status).toBe(400);
    const res = await fetch(`${receiver.url}/api/v0/tsdb`, { method: 'POST', headers: { 'x-api-key': KEY }, body: '[]' });
    expect(res.status).toBe(400);
  });

  it('stores host metadata and enforces the namespace rules', async () => {
    const inventory = { tasks: [{ taskArn: 'arn:aws:ecs:us-east-1:111122223333:task/prod/abc', key: 'api-3f2a9c1e' }] };
    expect((await call('PUT', `/api/v0/hosts/${hostId}/metadata/ecs-tasks`, inventory)).status).toBe(200);
    expect(await call('GET', `/api/v0/hosts/${hostId}/metadata/ecs-tasks`)).toEqual({ status: 200, json: inventory });
    expect((await call('PUT', `/api/v0/hosts/${hostId}/metadata/mackerel-x`, {})).status).toBe(400);
    expect((await call('PUT', '/api/v0/hosts/nohost/metadata/ecs-tasks', {})).status).toBe(404);
    expect(receiver.metadata(hostId, 'ecs-tasks')).toEqual(inventory);
  });

  it('creates dashboards, refuses a used urlPath with 409 and updates by id', async () => {
    const widget = { type: 'markdown', title: 'about', markdown: '# api', layout: { x: 0, y: 0, width: 24, height: 2 } };
    const body = { title: 'ECS api', memo: '', urlPath: 'ecs/api', widgets: [widget] };
    const created = await call('POST', '/api/v0/dashboards', body);
    const clash = await call('POST', '/api/v0/dashboards', body);
    const id = (created.json as { id: string }).id;
    const updated = await call('PUT', `/api/v0/dashboards/${id}`, { ...body, title: 'ECS api v2' });
    const overlap = await call('PUT', `/api/v0/dashboards/${id}`, { ...body, widgets: [widget, widget] });
    expect([created.status, clash.status, updated.status, overlap.status]).toEqual([200, 409, 200, 400]);
    expect(receiver.dashboards().map((d) => d.title)).toEqual(['ECS api v2']);
  });
});
