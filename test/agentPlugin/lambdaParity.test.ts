import { symlink } from 'node:fs/promises';
import path from 'node:path';
import { graphDefinitions } from '../../src/mackerel/graphDefs';
import { metricKey, metricName } from '../../src/mackerel/naming';
import { GOSTATS_GRAPHS, parseBody, type GraphMeta } from '../../src/parse';
import type { GraphDef, MetricFormat } from '../../src/types';
import { memoryCounters } from '../parse/memoryCounters';
import { containerId, ecsLabels, startFleet, TASK, type Fleet } from './fleet';
import { awks } from './parity';
import { createSandbox, pluginLines, valuesByName } from './pluginHarness';
import { startText } from './services';

/**
 * Plugin text with its own META: a `#` and a `*` graph, `%1` in a label, a \u escape, a stacked metric, an
 * unknown unit (becomes float), a metric without a label, and a graph META does not cover.
 */
const PLUGIN_BODY = [
  '# mackerel-agent-plugin',
  JSON.stringify({
    graphs: {
      'queue.#': { label: 'Queue %1', unit: 'integer', metrics: [{ name: 'waiting', label: 'Waiting', stacked: true }, { name: 'running' }] },
      'latency': { label: 'Latency \u00b5s', unit: 'microseconds', metrics: [{ name: '*', label: '' }] },
    },
    // JSON.stringify leaves µ as is; the escaped form exercises the plugin's \u decoding.
  }).replace('\u00b5', '\\u00b5'),
  'queue.mail.waiting\t12\t1767225600',
  'queue.mail.running 3 1767225600',
  'latency.p99\t1500\t1767225600',
  'uptime\t3600\t1767225600',
  'not a metric line',
  '',
].join('\n');

/** What the Lambda posts for one target over two scrapes: name without `custom.` → value. */
function lambdaValues(format: MetricFormat, prefix: string, key: string, bodies: readonly [string, string], times: readonly [number, number]): Record<string, number> {
  const counters = memoryCounters();
  const out: Record<string, number> = {};
  for (const [i, body] of bodies.entries()) {
    const parsed = parseBody(format, body, { targetId: key, now: times[i] ?? 0, counters });
    if (!parsed.ok) throw parsed.error;
    if (i === 0) continue;
    for (const s of parsed.value.samples) {
      const name = metricName(prefix, key, s);
      if (!name.ok) throw name.error;
      out[name.value.replace(/^custom\./, '')] = s.value;
    }
  }
  return out;
}

/** A Lambda graph definition in plugin META form (mackerel-agent maps it back: key → `custom.<key>`). */
function toMeta(def: GraphDef): [string, unknown] {
  return [
    def.name.replace(/^custom\./, ''),
    {
      label: def.displayName,
      unit: def.unit,
      metrics: def.metrics.map((m) => ({ name: m.name.slice(def.name.length + 1), label: m.displayName, stacked: m.isStacked })),
    },
  ];
}

let fleet: Fleet;
beforeEach(async () => {
  fleet = await startFleet();
});
afterEach(async () => {
  await fleet.close();
});

describe.each(awks())('mackerel-plugin-ecs-tasks and the Lambda, with %s', (awk) => {
  it('prints exactly the names and values the Lambda posts for the same two scrapes', async () => {
    // Prepare: awk on PATH is the one under test.
    await symlink(awk, path.join(fleet.sandbox.root, 'bin', 'awk'));
    const gostats1 = fleet.api1.body();
    const prom1 = await fleet.prom.registry.metrics();
    await fleet.sandbox.run();
    const [stateTime = 0] = await fleet.sandbox.ageState(60);
    fleet.api1.stats = { ...fleet.api1.stats, memory_mallocs: 20392445, memory_frees: 20351000, gc_num: 1540, goroutine_num: 44 };
    fleet.prom.requests.inc({ method: 'GET', code: '200' }, 37);
    fleet.prom.latency.observe({ route: '/a' }, 0.05);
    fleet.prom.size.observe({ route: '/b' }, 10);
    fleet.prom.queue.set({ queue: 'mail' }, 3);
    const gostats2 = fleet.api1.body();
    const prom2 = await fleet.prom.registry.metrics();
    // Act
    const run = await fleet.sandbox.run();
    // Assess
    expect(run.stderr).toBe('');
    const plugin = valuesByName(pluginLines(run.stdout));
    const epoch = pluginLines(run.stdout)[0]?.epoch ?? 0;
    const api1Key = metricKey({ family: 'api', taskId: TASK.api1, port: fleet.api1.server.port }, 'task');
    const workerKey = metricKey({ family: 'worker', taskId: TASK.worker, port: fleet.promServer.port }, 'task');
    const lambda = {
      ...lambdaValues('gostats', 'gostats', api1Key, [gostats1, gostats2], [stateTime, epoch]),
      ...lambdaValues('prometheus', 'prometheus', workerKey, [prom1, prom2], [stateTime, epoch]),
    };
    const mine = Object.fromEntries(Object.entries(plugin).filter(([n]) => n.includes(api1Key) || n.includes(workerKey)));
    expect(Object.keys(mine).sort()).toEqual(Object.keys(lambda).sort());
    for (const [name, value] of Object.entries(lambda)) expect([name, mine[name]]).toEqual([name, expect.closeTo(value, 9)]);
    expect(Object.keys(lambda)).toEqual(
      expect.arrayContaining([
        // Series names (src/parse/seriesName.ts): labels sorted by name (code before method); a value with `/`
        // takes the digest form, the quantile last.
        'prometheus.worker-77aa0000.http_requests_total.200_GET',
        expect.stringMatching(/^prometheus\.worker-77aa0000\.response_size_bytes\.a_q0_99__[0-9a-f]{8}$/),
        'gostats.api-3f2a9c1e.gc.gc_num',
      ]),
    );
  });

  it("describes the graphs in META exactly as the Lambda's graph definitions, without scraping gostats", async () => {
    // Prepare
    await symlink(awk, path.join(fleet.sandbox.root, 'bin', 'awk'));
    const parsed = parseBody('prometheus', await fleet.prom.registry.metrics(), { targetId: 'x', now: 0, counters: memoryCounters() });
    if (!parsed.ok) throw parsed.error;
    const promGraphs: GraphMeta[] = parsed.value.graphs;
    // Act
    const run = await fleet.sandbox.run({ MACKEREL_AGENT_PLUGIN_META: '1' });
    // Assess
    expect(run.stderr).toBe('');
    const [header, json, ...rest] = run.stdout.split('\n');
    expect(header).toBe('# mackerel-agent-plugin');
    expect(rest).toEqual(['']);
    const meta = JSON.parse(json ?? '') as { graphs: Record<string, { label: string; unit: string; metrics: unknown[] }> };
    const expected = Object.fromEntries([...graphDefinitions('gostats', GOSTATS_GRAPHS), ...graphDefinitions('prometheus', promGraphs)].map(toMeta));
    expect(meta.graphs).toEqual(expected);
    expect(meta.graphs['gostats.#.runtime']).toEqual({
      label: 'Gostats Runtime',
      unit: 'integer',
      metrics: [
        { name: 'goroutine_num', label: '%1 Goroutine Num', stacked: false },
        { name: 'cgo_call_num', label: '%1 CGO Call Num', stacked: false },
      ],
    });
    expect(meta.graphs['gostats.#.memory']?.unit).toBe('bytes');
    expect(meta.graphs['prometheus.#.http_requests_total']?.metrics).toEqual([{ name: '*', label: '%1 %2', stacked: false }]);
    expect(meta.graphs['prometheus.#.temperature']?.metrics).toEqual([{ name: 'value', label: '%1', stacked: false }]);
    expect(meta.graphs['prometheus.#.sent_bytes_total']?.unit).toBe('bytes/sec');
    // META reads no gostats endpoint (its graphs are fixed) and sets no counter baseline.
    expect(fleet.api1.server.requests).toHaveLength(0);
    expect(await fleet.sandbox.ageState(0)).toEqual([]);
  });

  it('passes plugin text through and defines its graphs from its own META, as the Lambda does', async () => {
    // Prepare
    const server = await startText(PLUGIN_BODY);
    expect(PLUGIN_BODY).toContain('Latency \\u00b5s');
    const sandbox = await createSandbox([
      {
        id: containerId('0707070707aa'),
        names: 'ecs-jobs-1-runner-0a1b',
        networks: 'bridge',
        labels: { ...ecsLabels('jobs', '0707070711112222333344445555aaaa', 'runner'), 'mackerel.metrics.port': '9000', 'mackerel.metrics.format': 'plugin' },
        ports: { '9000/tcp': [`0.0.0.0:${server.port}`] },
      },
    ]);
    await symlink(awk, path.join(sandbox.root, 'bin', 'awk'));
    const parsed = parseBody('plugin', PLUGIN_BODY, { targetId: 'x', now: 0, counters: memoryCounters() });
    if (!parsed.ok) throw parsed.error;
    try {
      // Act
      const run = await sandbox.run();
      const meta = await sandbox.run({ MACKEREL_AGENT_PLUGIN_META: '1' });
      // Assess
      expect(run.stderr).toBe('');
      const key = metricKey({ family: 'jobs', taskId: '0707070711112222333344445555aaaa', port: server.port }, 'task');
      const lambda = Object.fromEntries(
        parsed.value.samples.map((s) => {
          const name = metricName('plugin', key, s);
          if (!name.ok) throw name.error;
          return [name.value.replace(/^custom\./, ''), s.value];
        }),
      );
      expect(valuesByName(pluginLines(run.stdout))).toEqual(lambda);
      expect(lambda).toHaveProperty(['plugin.jobs-07070707.uptime.value'], 3600);
      const graphs = (JSON.parse(meta.stdout.split('\n')[1] ?? '') as { graphs: Record<string, unknown> }).graphs;
      const expected = Object.fromEntries(graphDefinitions('plugin', parsed.value.graphs).map(toMeta));
      delete graphs['gostats.#.runtime'];
      for (const g of ['memory', 'operation', 'heap', 'gc']) delete graphs[`gostats.#.${g}`];
      expect(graphs).toEqual(expected);
      expect(graphs['plugin.#.queue.*']).toEqual({
        label: 'Queue %2',
        unit: 'integer',
        metrics: [
          { name: 'waiting', label: '%1 Waiting', stacked: true },
          { name: 'running', label: '%1 running', stacked: false },
        ],
      });
      expect(graphs['plugin.#.latency']).toEqual({ label: 'Latency \u00b5s', unit: 'float', metrics: [{ name: '*', label: '%1 %2', stacked: false }] });
    } finally {
      await server.close();
      await sandbox.cleanup();
    }
  });
});
