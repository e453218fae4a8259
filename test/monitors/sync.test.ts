import { startMackerelReceiver, type MackerelReceiver } from '../../sim/mackerelReceiver';
import { createMonitorClient, type MonitorPort, type ServiceMonitorBody } from '../../src/mackerel/monitorClient';
import { desiredMonitors } from '../../src/monitors/build';
import { syncMonitors } from '../../src/monitors/sync';

const KEY = 'monitor-sync-key-0123456789SECRET';

describe('syncMonitors against the Mackerel receiver', () => {
  let receiver: MackerelReceiver;
  const client = (apiKey = KEY): MonitorPort => createMonitorClient({ apiKey, baseUrl: receiver.url, timeoutMs: 1000, baseDelayMs: 1, maxDelayMs: 5 });
  const desired = desiredMonitors('ecs', ['prod', 'stg']);
  const writes = (): string[] => receiver.requests().filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.status}`);
  const byName = (name: string): Record<string, unknown> | undefined => receiver.monitors().find((m) => m.name === name);
  const put = async (id: string, body: unknown): Promise<void> => {
    const res = await fetch(`${receiver.url}/api/v0/monitors/${id}`, { method: 'PUT', headers: { 'x-api-key': KEY, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status).toBe(200);
  };
  const postRaw = async (body: unknown): Promise<string> => {
    const res = await fetch(`${receiver.url}/api/v0/monitors`, { method: 'POST', headers: { 'x-api-key': KEY, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status).toBe(200);
    return ((await res.json()) as { id: string }).id;
  };

  beforeAll(async () => {
    receiver = await startMackerelReceiver({ apiKey: KEY, services: ['ecs'] });
  });
  afterAll(() => receiver.close());
  beforeEach(() => receiver.reset());

  it('creates the monitors once; a second run finds them all unchanged and writes nothing', async () => {
    // Act
    const first = await syncMonitors(desired, client());
    const afterFirst = writes();
    const second = await syncMonitors(desired, client());

    // Assess
    expect(first.map((o) => [o.name, o.action])).toEqual(desired.map((m) => [m.name, 'created']));
    expect(second.map((o) => o.action)).toEqual(['unchanged', 'unchanged', 'unchanged', 'unchanged']);
    expect(second.map((o) => o.id)).toEqual(first.map((o) => o.id));
    expect(writes()).toEqual(afterFirst);
    expect(receiver.monitors()).toHaveLength(4);
  });

  it('updates a monitor whose threshold changed, in place, and leaves the others alone', async () => {
    // Prepare
    const [created] = (await syncMonitors(desired, client())).filter((o) => o.name === 'ecs-collector: prod failed ratio');
    const creates = writes().length;

    // Act
    const changed = desiredMonitors('ecs', ['prod', 'stg'], { failedRatioCritical: 0.7 });
    const outcomes = await syncMonitors(changed, client());

    // Assess
    expect(outcomes.map((o) => o.action)).toEqual(['unchanged', 'updated', 'unchanged', 'updated']);
    expect(outcomes[1]).toEqual({ name: 'ecs-collector: prod failed ratio', id: created?.id, action: 'updated' });
    expect(byName('ecs-collector: prod failed ratio')).toMatchObject({ id: created?.id, critical: 0.7, warning: 0.2 });
    expect(writes().slice(creates)).toEqual(['PUT 200', 'PUT 200']);
    expect(receiver.monitors()).toHaveLength(4);
  });

  it('changes nothing in a dry run and says what it would do', async () => {
    // Act
    const dryFirst = await syncMonitors(desired, client(), { dryRun: true });
    const nothing = receiver.monitors();
    await syncMonitors(desired, client());
    const snapshot = receiver.monitors();
    const dryChanged = await syncMonitors(desiredMonitors('ecs', ['prod', 'stg'], { missingDurationMinutes: 30 }), client(), { dryRun: true });

    // Assess
    expect(dryFirst.map((o) => o.action)).toEqual(['would-create', 'would-create', 'would-create', 'would-create']);
    expect(nothing).toEqual([]);
    expect(dryChanged.map((o) => o.action)).toEqual(['would-update', 'unchanged', 'would-update', 'unchanged']);
    expect(receiver.monitors()).toEqual(snapshot);
    expect(writes()).toEqual(['POST 200', 'POST 200', 'POST 200', 'POST 200']);
  });

  it('never touches monitors it did not create, even on the same metric', async () => {
    // Prepare
    const theirs = await postRaw({ ...desired[1], name: 'prod failure ratio (SRE team)', critical: 0.9 });
    const host = await postRaw({ type: 'host', name: 'ecs-collector: prod failed ratio host', metric: 'cpu%', operator: '>', warning: 80, critical: 90, duration: 3 });
    const before = receiver.monitors().filter((m) => m.id === theirs || m.id === host);

    // Act
    await syncMonitors(desiredMonitors('ecs', ['prod'], { failedRatioCritical: 0.6 }), client());
    await syncMonitors(desiredMonitors('ecs', ['prod'], { failedRatioCritical: 0.7 }), client());

    // Assess
    expect(receiver.monitors().filter((m) => m.id === theirs || m.id === host)).toEqual(before);
    expect(receiver.requests().filter((r) => r.method === 'PUT' && (r.path.endsWith(theirs) || r.path.endsWith(host)))).toEqual([]);
  });

  it('refuses to write a desired monitor without the collector prefix, and leaves a same-named monitor of another type alone', async () => {
    // Prepare
    const otherType = await postRaw({ type: 'expression', name: 'ecs-collector: prod stopped reporting', expression: "max(service('ecs','x'))", operator: '>', warning: 1, critical: 2 });
    const stray: ServiceMonitorBody = { ...(desired[1] as ServiceMonitorBody), name: 'failed ratio' };

    // Act
    const outcomes = await syncMonitors([desired[0] as ServiceMonitorBody, stray], client());

    // Assess
    expect(outcomes).toEqual([
      {
        name: 'ecs-collector: prod stopped reporting',
        id: otherType,
        action: 'failed',
        error: expect.stringMatching(/a monitor of type expression already has this name/),
        errorKind: 'name-taken',
      },
      { name: 'failed ratio', action: 'failed', error: expect.stringMatching(/not ours to write/), errorKind: 'not-ours' },
    ]);
    expect(writes()).toEqual(['POST 200']);
  });

  it('keeps a mute and a notification interval set by hand when it updates a monitor, and does not count them as changes', async () => {
    // Prepare
    const [, ratio] = await syncMonitors(desired.slice(0, 2), client());
    const id = ratio?.id ?? '';
    await put(id, { ...desired[1], isMute: true, notificationInterval: 60 });

    // Act
    const unchanged = await syncMonitors(desired.slice(0, 2).map((m) => ({ ...m, isMute: false })), client());
    const updated = await syncMonitors(desiredMonitors('ecs', ['prod'], { failedRatioWarning: 0.3 }).map((m) => ({ ...m, isMute: false })), client());

    // Assess
    expect(unchanged.map((o) => o.action)).toEqual(['unchanged', 'unchanged']);
    expect(updated.map((o) => o.action)).toEqual(['unchanged', 'updated']);
    expect(byName('ecs-collector: prod failed ratio')).toMatchObject({ id, warning: 0.3, isMute: true, notificationInterval: 60 });
  });

  it('creates a monitor again when it was deleted by hand between the list and the update', async () => {
    // Prepare
    await syncMonitors(desired.slice(0, 2), client());
    const real = client();
    const deleting: MonitorPort = {
      ...real,
      listMonitors: async (signal) => {
        const listed = await real.listMonitors(signal);
        const ratio = byName('ecs-collector: prod failed ratio');
        await fetch(`${receiver.url}/api/v0/monitors/${String(ratio?.id)}`, { method: 'DELETE', headers: { 'x-api-key': KEY } });
        return listed;
      },
    };

    // Act
    const outcomes = await syncMonitors(desiredMonitors('ecs', ['prod'], { failedRatioCritical: 0.6 }), deleting);

    // Assess
    expect(outcomes.map((o) => o.action)).toEqual(['unchanged', 'created']);
    expect(receiver.monitors().map((m) => [m.name, m.critical])).toEqual([
      ['ecs-collector: prod failed ratio', 0.6],
      ['ecs-collector: prod stopped reporting', 0],
    ]);
  });

  it('reports every monitor as failed after a 401, having sent only the list', async () => {
    // Act
    const outcomes = await syncMonitors(desired, client('wrong'));

    // Assess
    expect(outcomes.map((o) => o.action)).toEqual(['failed', 'failed', 'failed', 'failed']);
    expect(outcomes[0]?.error).toMatch(/rejected the API key/);
    expect(receiver.requests().map((r) => `${r.method} ${r.status}`)).toEqual(['GET 401']);
  });

  it('stops writing after a 403 on create and reports the rest with the same error', async () => {
    // Prepare: the key loses its Write permission between the list and the first POST
    const real = client();
    const revoking: MonitorPort = {
      ...real,
      listMonitors: async (signal) => {
        const listed = await real.listMonitors(signal);
        receiver.failNext('/api/v0/monitors', 403, 10);
        return listed;
      },
    };

    // Act
    const outcomes = await syncMonitors(desired, revoking);

    // Assess
    expect(outcomes.map((o) => o.action)).toEqual(['failed', 'failed', 'failed', 'failed']);
    expect(writes()).toEqual(['POST 403']);
  });
});
