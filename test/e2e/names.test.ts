/**
 * What lands in Mackerel from Prometheus text as real exporters write it at the edges, end to end through the
 * real CLI against the simulated cluster (sim kind `quirky`): non-ASCII label values get names of their own, a
 * label value with an unknown escape is posted, one unreadable line costs only that line, and two series that
 * map to one name are an error in the summary (never a silent drop) unless a filter excludes that name.
 */
import type { Simulation, SimTask, TaskSpec } from '../../sim';
import type { CycleSummary } from '../../src/pipeline/collect';
import { collectorEnv, hostIdOf, reasonFor, runCli, startStandardSimulation, taskKey } from './harness';

let sim: Simulation;
let quirky: SimTask;
let settled: SimTask;
let summary: CycleSummary;

function quirkyTask(name: string, labels: Record<string, string> = {}): TaskSpec {
  return {
    family: name,
    service: name,
    networkMode: 'bridge',
    instance: 0,
    kind: 'quirky',
    containerPort: 9100,
    labels: { 'mackerel.metrics.port': '{port}', 'mackerel.metrics.prefix': name, ...labels },
  };
}

/** `<graph>.<metric>` → value of what landed for a task. */
function landed(task: SimTask, prefix: string): Record<string, number> {
  const head = `custom.${prefix}.${taskKey(task)}.`;
  return Object.fromEntries(
    sim.receiver
      .posted()
      .filter((v) => v.name.startsWith(head) && v.hostId === hostIdOf(sim, task))
      .map((v) => [v.name.slice(head.length), v.value]),
  );
}

beforeAll(async () => {
  sim = await startStandardSimulation();
  quirky = await sim.startTask('prod', quirkyTask('quirky'));
  settled = await sim.startTask('prod', quirkyTask('settled', { 'mackerel.metrics.exclude': 'queue_depth\\..*' }));
  sim.receiver.reset();
  const run = await runCli(['collect', '--json'], collectorEnv(sim));
  expect(run.code).toBe(0);
  summary = JSON.parse(run.stdout) as CycleSummary;
});
afterAll(() => sim.stop());

describe('a body with non-ASCII labels, unknown escapes, an unreadable line and a name collision', () => {
  it('posts every readable series under a name of its own: 東京 and 大阪 apart, the escaped paths kept', () => {
    const names = landed(quirky, 'quirky');
    const cities = Object.keys(names).filter((n) => n.startsWith('city_temperature_celsius.'));
    expect(cities).toHaveLength(2);
    expect(cities.every((n) => /^city_temperature_celsius\.__[0-9a-f]{8}$/.test(n))).toBe(true);
    expect(cities.map((n) => names[n]).sort()).toEqual([12.5, 14]);
    expect(Object.keys(names).filter((n) => n.startsWith('win_path.')).sort()).toEqual([
      expect.stringMatching(/^win_path\.C_Program_Files__[0-9a-f]{8}$/),
      expect.stringMatching(/^win_path\.C_Windows_x__[0-9a-f]{8}$/),
    ]);
  });

  it('skips only the unreadable line and counts it', () => {
    expect(summary.dropped['unparsable line']).toBe(2);
  });

  it('posts the first of two colliding series and reports the collision as a parse/collision failure naming it', () => {
    expect(landed(quirky, 'quirky')['queue_depth.mail']).toBe(3);
    expect(summary.dropped['name collision']).toBe(2);
    expect(summary.failedBy['parse/collision']).toBe(1);
    expect(reasonFor(summary.failed, quirky)).toBe(
      'parse: name collision: queue_depth.mail (1 more series); 1 series not posted (exclude the family or rename a label)',
    );
  });

  it('reports no collision for a target whose filters exclude the colliding name, and posts the rest', () => {
    expect(reasonFor(summary.failed, settled)).toBeUndefined();
    expect(Object.keys(landed(settled, 'settled')).filter((n) => n.startsWith('queue_depth.'))).toEqual([]);
    expect(Object.keys(landed(settled, 'settled'))).toHaveLength(4);
    expect(summary.dropped['excluded by mackerel.metrics.exclude']).toBe(1);
  });
});
