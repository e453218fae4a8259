import { startMackerelReceiver, type MackerelReceiver } from '../../sim/mackerelReceiver';
import { buildServiceDashboard } from '../../src/dashboards/build';
import { sameDashboard } from '../../src/dashboards/compare';
import { upsertDashboards } from '../../src/dashboards/sync';
import { createDashboardClient, type DashboardBody, type DashboardPort } from '../../src/mackerel/dashboardClient';
import { SAMPLE_INPUT } from './sample';

const KEY = 'dash-key-0123456789SECRET';

describe('dashboard upsert against the Mackerel receiver', () => {
  let receiver: MackerelReceiver;
  const client = (apiKey = KEY): DashboardPort =>
    createDashboardClient({ apiKey, baseUrl: receiver.url, timeoutMs: 1000, baseDelayMs: 1, maxDelayMs: 5 });
  const bodies: DashboardBody[] = ['api', 'worker'].map((service) => buildServiceDashboard({ ...SAMPLE_INPUT, service }));
  const writes = (): string[] => receiver.requests().filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.status}`);

  beforeAll(async () => {
    receiver = await startMackerelReceiver({ apiKey: KEY });
  });
  afterAll(() => receiver.close());
  beforeEach(() => receiver.reset());

  it('leaves exactly one dashboard per service with the same id when run twice', async () => {
    // Act
    const first = await upsertDashboards(client(), bodies);
    const second = await upsertDashboards(client(), bodies);

    // Assess
    expect(first.map((o) => [o.urlPath, o.action])).toEqual([
      ['ecs/prod/api', 'created'],
      ['ecs/prod/worker', 'created'],
    ]);
    expect(second.map((o) => o.action)).toEqual(['unchanged', 'unchanged']);
    expect(second.map((o) => o.id)).toEqual(first.map((o) => o.id));
    expect(receiver.dashboards().map((d) => d.urlPath).sort()).toEqual(['ecs/prod/api', 'ecs/prod/worker']);
    expect(writes()).toEqual(['POST 200', 'POST 200']);
  });

  it('updates a changed dashboard in place (PUT, same id)', async () => {
    // Prepare
    const [created] = await upsertDashboards(client(), [bodies[0] as DashboardBody]);
    const changed = buildServiceDashboard({ ...SAMPLE_INPUT, taskKeys: ['api-1', 'api-2', 'api-3'] });

    // Act
    const [outcome] = await upsertDashboards(client(), [changed]);

    // Assess
    expect(outcome).toEqual({ urlPath: 'ecs/prod/api', id: created?.id, action: 'updated' });
    expect(receiver.dashboards()).toHaveLength(1);
    expect(receiver.dashboards()[0]?.widgets).toEqual(changed.widgets);
  });

  it('writes nothing in a dry run and says what it would do', async () => {
    // Prepare
    await upsertDashboards(client(), [bodies[0] as DashboardBody]);
    receiver.reset();
    await upsertDashboards(client(), [bodies[0] as DashboardBody]);
    const changed = { ...(bodies[0] as DashboardBody), title: 'ECS prod/api (renamed)' };

    // Act
    const outcomes = await upsertDashboards(client(), [changed, bodies[1] as DashboardBody], { dryRun: true });

    // Assess
    expect(outcomes.map((o) => o.action)).toEqual(['would-update', 'would-create']);
    expect(outcomes[1]?.id).toBeUndefined();
    expect(writes()).toEqual(['POST 200']);
    expect(receiver.dashboards().map((d) => d.title)).toEqual(['ECS prod/api']);
  });

  it('updates the winner when its POST loses a creation race (409), leaving one dashboard', async () => {
    // Prepare: another writer creates the same urlPath between our list and our POST
    const real = client();
    let rivalId = '';
    const racing: DashboardPort = {
      ...real,
      createDashboard: async (body, signal) => {
        const rival = await real.createDashboard({ ...body, title: 'created by another run' }, signal);
        rivalId = rival.ok ? rival.value.id : 'rival failed';
        return real.createDashboard(body, signal);
      },
    };

    // Act
    const [outcome] = await upsertDashboards(racing, [bodies[0] as DashboardBody]);

    // Assess
    expect(outcome).toEqual({ urlPath: 'ecs/prod/api', id: rivalId, action: 'updated' });
    expect(writes()).toEqual(['POST 200', 'POST 409', 'PUT 200']);
    expect(receiver.dashboards().map((d) => [d.id, d.title])).toEqual([[rivalId, 'ECS prod/api']]);
  });

  it('creates the dashboard again when it was deleted between the list and the PUT', async () => {
    // Prepare
    const [created] = await upsertDashboards(client(), [bodies[0] as DashboardBody]);
    const real = client();
    const deleting: DashboardPort = {
      ...real,
      updateDashboard: async (id, body, signal) => {
        await fetch(`${receiver.url}/api/v0/dashboards/${id}`, { method: 'DELETE', headers: { 'x-api-key': KEY } });
        return real.updateDashboard(id, body, signal);
      },
    };

    // Act
    const [outcome] = await upsertDashboards(deleting, [{ ...(bodies[0] as DashboardBody), memo: 'changed' }]);

    // Assess
    expect(outcome?.action).toBe('created');
    expect(outcome?.id).not.toBe(created?.id);
    expect(receiver.dashboards()).toHaveLength(1);
  });

  it('reports a rejected key for every dashboard after one request, without the key', async () => {
    // Act
    const outcomes = await upsertDashboards(client('wrong-key-SECRET'), bodies);

    // Assess
    expect(outcomes.map((o) => o.action)).toEqual(['failed', 'failed']);
    expect(outcomes[0]?.error).toMatch(/rejected the API key/);
    expect(JSON.stringify(outcomes)).not.toContain('wrong-key-SECRET');
    expect(receiver.requests()).toHaveLength(1);
  });

  it('refuses the same urlPath twice in one run instead of writing it twice', async () => {
    // Act
    const outcomes = await upsertDashboards(client(), [bodies[0] as DashboardBody, bodies[0] as DashboardBody]);

    // Assess
    expect(outcomes.map((o) => o.action)).toEqual(['created', 'failed']);
    expect(receiver.dashboards()).toHaveLength(1);
  });
});

describe('dashboard comparison', () => {
  const body = buildServiceDashboard(SAMPLE_INPUT);
  const existing = { id: 'abc', title: body.title, memo: body.memo, urlPath: body.urlPath };

  it('treats fields the API adds empty (referenceLines: []) as unchanged', () => {
    // Prepare
    const echoed = body.widgets.map((w) => (w.type === 'graph' ? { ...w, referenceLines: [] } : w));

    // Act & Assess
    expect(sameDashboard({ ...existing, widgets: echoed }, body)).toBe(true);
  });

  it('treats a range set by hand, a moved widget or a missing widget as a change', () => {
    // Prepare
    const [first, ...rest] = body.widgets;
    const withRange = body.widgets.map((w) => (w.type === 'graph' ? { ...w, range: { type: 'relative', period: 3600, offset: 0 } } : w));
    const moved = [{ ...first, layout: { x: 0, y: 1, width: 24, height: 4 } }, ...rest];

    // Act & Assess
    expect(sameDashboard({ ...existing, widgets: withRange }, body)).toBe(false);
    expect(sameDashboard({ ...existing, widgets: moved }, body)).toBe(false);
    expect(sameDashboard({ ...existing, widgets: rest }, body)).toBe(false);
  });
});
