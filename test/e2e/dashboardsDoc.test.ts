/**
 * docs/dashboard-example.json, the README's sample of a generated dashboard: the api service's dashboard as
 * the receiver stored it after one cycle of the standard scenario with METRIC_KEY=slot and
 * MACKEREL_SERVICE=ecs. `UPDATE_DOCS=1 npx jest test/e2e/dashboardsDoc` rewrites the file; otherwise the test
 * fails when the file no longer matches what the collector generates.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Simulation } from '../../sim';
import { collectorEnv, REPO_ROOT, startStandardSimulation } from './harness';
import { startCollector } from './harness5';

const DOC = path.join(REPO_ROOT, 'docs', 'dashboard-example.json');

type Widget = { type: string; title: string; graph?: { type: string; name?: string; expression?: string } };
type DashboardDoc = { title: string; memo: string; urlPath: string; widgets: Widget[] };

/**
 * The receiver's host ids are random per run: each is replaced by a placeholder naming its EC2 instance (the
 * simulated instance ids are fixed), so the file only changes when the dashboard does.
 */
function generatedApiDashboard(sim: Simulation): DashboardDoc {
  const stored = sim.receiver.dashboards().find((d) => d.urlPath === 'ecs/prod/api');
  if (!stored) throw new Error('no dashboard ecs/prod/api');
  const { id: _id, createdAt: _c, updatedAt: _u, ...body } = stored;
  let text = JSON.stringify(body, null, 2);
  for (const inst of sim.instances()) {
    const host = sim.receiver.hostByInstance(inst.instanceId);
    if (host) text = text.split(host.id).join(`<hostId of ${inst.instanceId}>`);
  }
  return JSON.parse(text) as DashboardDoc;
}

/** What a reader of the README relies on: the widgets in order, their kind and title, and what each graph draws. */
const structure = (d: DashboardDoc): string[][] =>
  d.widgets.map((w) => [w.type, w.title, w.graph?.type ?? '', w.graph?.name ?? w.graph?.expression ?? '']);

describe('docs/dashboard-example.json', () => {
  let sim: Simulation;
  let generated: DashboardDoc;

  beforeAll(async () => {
    sim = await startStandardSimulation();
    const collector = startCollector(collectorEnv(sim, { MACKEREL_SERVICE: 'ecs', METRIC_KEY: 'slot', SCRAPE_TIMEOUT_MS: '100' }));
    try {
      await collector.cycle({ dashboards: 'sync' });
    } finally {
      collector.close();
    }
    generated = generatedApiDashboard(sim);
    if (process.env.UPDATE_DOCS === '1') writeFileSync(DOC, JSON.stringify(generated, null, 2) + '\n');
  });
  afterAll(() => sim.stop());

  it('has the widgets the collector generates for the api service (UPDATE_DOCS=1 rewrites it)', () => {
    // Act
    const documented = JSON.parse(readFileSync(DOC, 'utf8')) as DashboardDoc;

    // Assess
    expect(structure(documented)).toEqual(structure(generated));
    expect(documented).toEqual(generated);
  });

  it('shows service totals and per-task lines named by slot (api-1, api-2)', () => {
    // Act
    const types = new Set(generated.widgets.map((w) => w.graph?.type).filter((t) => t !== undefined));
    const perTask = generated.widgets.find((w) => w.graph?.type === 'expression')?.graph?.expression ?? '';

    // Assess
    expect(types).toEqual(new Set(['service', 'expression']));
    expect(generated.widgets.find((w) => w.title === 'Running tasks')?.graph).toEqual({ type: 'service', serviceName: 'ecs', name: 'ecs.prod.api.tasks' });
    expect(perTask).toMatch(/custom\.gostats\.api-1\..*custom\.gostats\.api-2\./);
  });
});
