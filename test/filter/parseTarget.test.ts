/**
 * The filters inside the pipeline: parseTarget names a target's samples, then include, exclude and the name
 * cap decide which values are posted, what is counted in `dropped`, and which graphs are announced.
 * Expected names are derived from the same body parsed without filters, so the tests hold whatever the
 * parser's series naming is.
 */
import { DROP_EXCLUDED, DROP_NOT_INCLUDED, DROP_OVER_MAX_NAMES } from '../../src/filter/metricFilter';
import { createCounterStore } from '../../src/pipeline/state';
import { parseTarget, type Placement, type TargetOutcome } from '../../src/pipeline/targetWork';
import type { Target } from '../../src/types';

const NOW_S = 1_767_225_600;
const HOST = 'host-a1';
const KEY = 'node-3f2a9c1e';

/** A node_exporter-like exposition: gauges with and without labels; the counters post rates from the second scrape. */
function nodeExporterBody(step: number): string {
  const lines = [
    '# TYPE node_cpu_seconds_total counter',
    ...['0', '1'].flatMap((cpu) => ['idle', 'user', 'system'].map((mode) => `node_cpu_seconds_total{cpu="${cpu}",mode="${mode}"} ${1000 + step * 30}`)),
    '# TYPE node_filesystem_avail_bytes gauge',
    `node_filesystem_avail_bytes{device="/dev/nvme0n1p1",fstype="ext4",mountpoint="/"} ${5e9 + step}`,
    `node_filesystem_avail_bytes{device="tmpfs",fstype="tmpfs",mountpoint="/run"} ${1e8 + step}`,
    '# TYPE node_network_receive_bytes_total counter',
    `node_network_receive_bytes_total{device="eth0"} ${1e6 + step * 6000}`,
    `node_network_receive_bytes_total{device="lo"} ${1e5 + step * 60}`,
    '# TYPE node_memory_MemAvailable_bytes gauge',
    `node_memory_MemAvailable_bytes ${2e9 + step}`,
    '# TYPE node_load1 gauge',
    `node_load1 0.${step + 1}`,
  ];
  return `${lines.join('\n')}\n`;
}

function targetWith(fields: Partial<Pick<Target, 'include' | 'exclude' | 'maxNames'>> = {}): Target {
  return {
    id: 'prod/3f2a9c1e5b7d4e6f8a9b0c1d2e3f4a5b/node-exporter:9100',
    cluster: 'prod',
    service: 'node',
    family: 'node',
    revision: 3,
    taskId: '3f2a9c1e5b7d4e6f8a9b0c1d2e3f4a5b',
    taskArn: 'arn:aws:ecs:us-east-1:111122223333:task/prod/3f2a9c1e5b7d4e6f8a9b0c1d2e3f4a5b',
    containerName: 'node-exporter',
    launchType: 'EC2',
    networkMode: 'bridge',
    ec2InstanceId: 'i-0aa11bb22cc33dd44',
    address: '127.0.1.5',
    port: 32768,
    containerPort: 9100,
    path: '/metrics',
    format: 'prometheus',
    prefix: 'node',
    ...fields,
  };
}

/** Two scrapes (the counters' first only sets their baseline); returns the second outcome. */
async function twoCycles(target: Target, placement: Placement = { hostId: HOST, key: KEY }, maxNamesPerTarget?: number): Promise<Extract<TargetOutcome, { kind: 'ok' }>> {
  const counters = createCounterStore();
  let outcome: TargetOutcome | undefined;
  for (const step of [0, 1]) {
    const body = nodeExporterBody(step);
    const ctx = { counters, nowS: NOW_S + step * 60, ...(maxNamesPerTarget === undefined ? {} : { maxNamesPerTarget }) };
    outcome = await parseTarget(target, placement, { ok: true, value: { body, bytes: body.length, status: 200, durationMs: 1 } }, ctx);
  }
  if (outcome?.kind !== 'ok') throw new Error(`expected an ok outcome, got ${JSON.stringify(outcome)}`);
  return outcome;
}

const HEAD = `custom.node.${KEY}.`;
const relativeNames = (o: { values: readonly { name: string }[] }): string[] => o.values.map((v) => v.name.slice(HEAD.length)).sort();
const droppedBy = (o: { dropped: readonly { reason: string; count: number }[] }, reason: string): number =>
  o.dropped.find((d) => d.reason === reason)?.count ?? 0;
const whole = (source: string) => new RegExp(`^(?:${source})$`);

describe('parseTarget with name filters', () => {
  let all: string[];

  beforeAll(async () => {
    all = relativeNames(await twoCycles(targetWith()));
  });

  it('posts every name of an unfiltered target below the cap', () => {
    expect(all.length).toBeGreaterThanOrEqual(12);
    expect(all.every((n) => n.startsWith('node_'))).toBe(true);
  });

  it('posts exactly the names the include pattern matches in full, then removes those exclude matches', async () => {
    // Prepare
    const include = 'node_(cpu_seconds_total|filesystem_avail_bytes|network_receive_bytes_total)\\..*';
    const exclude = '.*tmpfs.*|node_network_receive_bytes_total\\.lo';

    // Act
    const outcome = await twoCycles(targetWith({ include, exclude }));

    // Assess
    const expected = all.filter((n) => whole(include).test(n) && !whole(exclude).test(n));
    expect(relativeNames(outcome)).toEqual(expected);
    expect(expected.length).toBeGreaterThan(0);
    expect(droppedBy(outcome, DROP_NOT_INCLUDED)).toBe(all.filter((n) => !whole(include).test(n)).length);
    expect(droppedBy(outcome, DROP_EXCLUDED)).toBe(all.filter((n) => whole(include).test(n) && whole(exclude).test(n)).length);
    expect(droppedBy(outcome, DROP_OVER_MAX_NAMES)).toBe(0);
  });

  it('announces no graph for a family whose names were all filtered away', async () => {
    // Act
    const outcome = await twoCycles(targetWith({ exclude: 'node_(memory|load1)_?.*' }));

    // Assess
    const graphs = outcome.graphs.map((g) => g.graph);
    expect(graphs.some((g) => g.startsWith('node_memory'))).toBe(false);
    expect(graphs.some((g) => g.startsWith('node_load1'))).toBe(false);
    expect(graphs.some((g) => g.startsWith('node_cpu'))).toBe(true);
  });

  it('keeps the first MAX_NAMES_PER_TARGET names in name order and counts the rest', async () => {
    // Act
    const outcome = await twoCycles(targetWith(), { hostId: HOST, key: KEY }, 5);

    // Assess
    expect(relativeNames(outcome)).toEqual(all.slice(0, 5));
    expect(droppedBy(outcome, DROP_OVER_MAX_NAMES)).toBe(all.length - 5);
  });

  it("lets the target's own max-names override MAX_NAMES_PER_TARGET", async () => {
    const outcome = await twoCycles(targetWith({ maxNames: 3 }), { hostId: HOST, key: KEY }, 5);
    expect(relativeNames(outcome)).toEqual(all.slice(0, 3));
  });

  it('caps every target at 200 names when MAX_NAMES_PER_TARGET is not given', async () => {
    // Prepare: 260 gauge series.
    const body = `${Array.from({ length: 260 }, (_, i) => `g${String(i).padStart(3, '0')} ${i}`).join('\n')}\n`;

    // Act
    const outcome = await parseTarget(targetWith(), { hostId: HOST, key: KEY }, { ok: true, value: { body, bytes: body.length, status: 200, durationMs: 1 } }, { counters: createCounterStore(), nowS: NOW_S });

    // Assess
    if (outcome.kind !== 'ok') throw new Error('expected ok');
    expect(outcome.values).toHaveLength(200);
    expect(droppedBy(outcome, DROP_OVER_MAX_NAMES)).toBe(60);
  });

  it('feeds the service totals of a target without a host only what the filters kept', async () => {
    // Act
    const outcome = await twoCycles(targetWith({ include: 'node_load1\\..*' }), { key: KEY });

    // Assess
    expect(outcome.values).toEqual([]);
    expect(outcome.samples.map((s) => s.graph)).toEqual(['node_load1']);
    expect(droppedBy(outcome, DROP_NOT_INCLUDED)).toBe(all.length - 1);
  });

  it('reports a target whose pattern does not compile as a parse failure instead of throwing', async () => {
    // Act
    const outcome = await parseTarget(targetWith({ include: '(a' }), { hostId: HOST, key: KEY }, { ok: true, value: { body: 'up 1\n', bytes: 5, status: 200, durationMs: 1 } }, { counters: createCounterStore(), nowS: NOW_S });

    // Assess
    expect(outcome).toMatchObject({ kind: 'failed', stage: 'parse', errorKind: 'invalid', errorName: 'FilterError' });
    expect(outcome.kind === 'failed' && outcome.reason).toMatch(/^metric filter: include "\(a" is not a valid regular expression: /);
  });
});
