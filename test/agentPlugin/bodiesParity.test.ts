import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, symlink } from 'node:fs/promises';
import path from 'node:path';
import { metricKey } from '../../src/mackerel/naming';
import { ecsLabels, containerId } from './fleet';
import { awks, lambdaCycles, pluginPosts, postDifferences, startBodies, type BodyServer, type LambdaResult } from './parity';
import { createSandbox, pluginLines, type FakeContainer, type PluginSandbox } from './pluginHarness';

/**
 * The plugin against the Lambda on real exporter bodies (test/fixtures/prometheus: node_exporter and Prometheus,
 * two recordings 15 s apart) and on a small body of edge cases, each served from loopback and scraped twice:
 * the second run must print exactly the names, values and epochs the Lambda posts for the second cycle.
 */

const FIXTURES = path.resolve(__dirname, '../fixtures/prometheus');
const fixture = (file: string): Buffer => readFileSync(path.join(FIXTURES, file));

/** A task id per container (32 hex characters, as ECS writes them); the key is `<family>-<first 8>`. */
const TASKS = {
  node: '3f2a9c1e0b4d4e5f8a6b7c8d9e0f1a2b',
  prom: '9b8c7d6e5f4a4b3c2d1e0f9a8b7c6d5e',
  edge: 'ed9e0000111122223333444455556666',
} as const;

/**
 * Edge cases of the naming rule and of the reading, one scrape (`cycle` 1 or 2) at `nowS` (epoch seconds of the
 * test's start; the timestamps are relative to it). Bytes: one line holds invalid UTF-8.
 */
function edgeBody(cycle: 1 | 2, nowS: number): Buffer {
  const ms = (s: number): number => s * 1000;
  const stampedCounter = ms(nowS - 600) + (cycle === 2 ? 30_000 : 0);
  const text = [
    // Non-ASCII values: nothing readable, the node is the digest alone; two different digests.
    '# TYPE city gauge',
    'city{name="東京"} 1',
    'city{name="大阪"} 2',
    // The same readable part, told apart by the digest.
    'http_path{path="/a.b"} 3',
    'http_path{path="/a_b"} 4',
    // `x_y` (digest: `_` is not plain) vs `x` and `y` (plain x_y).
    'pairs{a="x_y"} 5',
    'pairs{a="x",b="y"} 6',
    // An unknown escape stays as written: the value is C:\Windows.
    'win_path{p="C:\\Windows"} 1',
    // Info: `# TYPE build info` and a gauge-like *_info of 1 are not posted; an _info of another value is.
    '# TYPE build info',
    'build_info{version="1.2.3",commit="abc"} 1',
    'node_uname_info{release="6.1"} 1',
    'ratio_info 0.5',
    // A summary: quantiles on the family's graph, last in the node; _created not posted.
    '# TYPE latency_seconds summary',
    'latency_seconds{route="/api",quantile="0.99"} 0.3',
    'latency_seconds{quantile="0.5"} 0.1',
    'latency_seconds{quantile="1e-05"} 0.01',
    `latency_seconds_count ${cycle === 1 ? 10 : 20}`,
    `latency_seconds_sum ${cycle === 1 ? 2 : 4.5}`,
    'latency_seconds_created 1.7e9',
    '# TYPE req counter',
    `req_total{method="GET",code="200"} ${cycle === 1 ? 100 : 160}`,
    'req_created{method="GET",code="200"} 1.7e9',
    // OpenMetrics gauge histogram and state set.
    '# TYPE queue gaugehistogram',
    'queue_bucket{le="1"} 3',
    'queue_gcount 3',
    'queue_gsum 1.5',
    '# TYPE feature stateset',
    'feature{feature="a"} 1',
    'feature{feature="b"} 0',
    // The exporter's own times: a rate over them, a sample an hour old, and two outside Mackerel's window.
    `stamped_total ${cycle === 1 ? 100 : 130} ${stampedCounter}`,
    `stamped{at="hour-ago"} 1 ${ms(nowS - 3600)}`,
    `stamped{at="two-days-ago"} 2 ${ms(nowS - 2 * 86400)}`,
    `stamped{at="hour-ahead"} 3 ${ms(nowS + 3600)}`,
    `stamped{at="om-seconds"} 4 ${nowS - 60}.5`,
    // The same series twice (an empty value is no label), and two series that map to one name: the first wins.
    'dup{a="1"} 1',
    'dup{a="1",b=""} 2',
    'taken{a="x"} 1',
    'taken{b="x"} 2',
    // Escapes and a tab inside a value: the identity is JSON with \\" \\\\ \\n \\t.
    'escapes{v="q\\"b\\\\s\\nn\tt"} 1',
    // A plain form over 64 characters takes the digest form, its readable part cut.
    `long_plain{a="${'a'.repeat(40)}",b="${'b'.repeat(30)}"} 1`,
    // Quoted names (Prometheus 3), sorted by UTF-16 code unit: 😀 (a surrogate pair) before U+E000.
    '{"dotted.name",z="1/","\u{E000}"="3/","😀"="2/","é"="0/"} 7',
    // Unreadable lines are skipped, the rest is posted.
    'broken{ 1',
    'also_broken 1 2 3',
    'value_after 9',
  ].join('\n');
  const invalidUtf8 = Buffer.from([...Buffer.from('bad_utf8{v="'), 0xff, 0x78, 0xe2, 0x82, 0x2f, ...Buffer.from('"} 8\n')]);
  return Buffer.concat([Buffer.from(`${text}\n`), invalidUtf8, Buffer.from('# EOF\nafter_eof 1\n')]);
}

function hostContainer(seed: string, family: string, taskId: string, port: number, metricsPath: string): FakeContainer {
  return {
    id: containerId(seed),
    names: `ecs-${family}-1-app-${seed}`,
    networks: 'host',
    labels: { ...ecsLabels(family, taskId, 'app'), 'mackerel.metrics.port': String(port), 'mackerel.metrics.path': metricsPath },
  };
}

/** Tools the plugin and the docker stand-in run, for a PATH without sha256sum (and without openssl). */
const TOOLS = ['bash', 'env', 'curl', 'date', 'mktemp', 'wc', 'head', 'mv', 'rm', 'find', 'mkdir', 'cat'];

async function restrictedPath(sandbox: PluginSandbox, awk: string, extra: readonly string[]): Promise<string> {
  const dir = path.join(sandbox.root, 'restricted');
  await mkdir(dir);
  for (const tool of [...TOOLS, ...extra]) {
    const real = execFileSync('bash', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim();
    await symlink(real, path.join(dir, tool));
  }
  await symlink(awk, path.join(dir, 'awk'));
  await symlink(path.join(sandbox.root, 'bin', 'docker'), path.join(dir, 'docker'));
  return dir;
}

let served: BodyServer;
let sandbox: PluginSandbox;
let nowS: number;
const keys = (port: number) => ({
  node: metricKey({ family: 'node-exporter', taskId: TASKS.node, port }, 'task'),
  prom: metricKey({ family: 'prometheus', taskId: TASKS.prom, port }, 'task'),
  edge: metricKey({ family: 'edge', taskId: TASKS.edge, port }, 'task'),
});

beforeEach(async () => {
  nowS = Math.floor(Date.now() / 1000);
  served = await startBodies();
  const port = served.server.port;
  sandbox = await createSandbox([
    hostContainer('0e0e0e0e0e01', 'node-exporter', TASKS.node, port, '/node'),
    hostContainer('0e0e0e0e0e02', 'prometheus', TASKS.prom, port, '/prom'),
    hostContainer('0e0e0e0e0e03', 'edge', TASKS.edge, port, '/edge'),
  ]);
});
afterEach(async () => {
  await served.server.close();
  await sandbox.cleanup();
});

/** Serves recording 1, runs, ages the baselines 15 s (not the exporter-timestamped one), serves 2, runs. */
async function twoRuns(env: Readonly<Record<string, string>> = {}) {
  const b = served.bodies;
  b.set('/node', fixture('node_exporter-1.txt')).set('/prom', fixture('prometheus-1.txt')).set('/edge', edgeBody(1, nowS));
  const first = await sandbox.run(env);
  expect(first.code).toBe(0);
  const [stateTime = 0] = await sandbox.ageState(15, (key) => !key.includes('stamped_total'));
  b.set('/node', fixture('node_exporter-2.txt')).set('/prom', fixture('prometheus-2.txt')).set('/edge', edgeBody(2, nowS));
  const second = await sandbox.run(env);
  expect(second.code).toBe(0);
  const lines = pluginLines(second.stdout);
  const k = keys(served.server.port);
  // The run's own epoch: the time of a series without a timestamp.
  const epoch = lines.find((l) => l.name === `prometheus.${k.edge}.value_after.value`)?.epoch ?? 0;
  const times = [stateTime, epoch];
  const lambda = {
    node: lambdaCycles('prometheus', 'prometheus', k.node, [fixture('node_exporter-1.txt'), fixture('node_exporter-2.txt')], times),
    prom: lambdaCycles('prometheus', 'prometheus', k.prom, [fixture('prometheus-1.txt'), fixture('prometheus-2.txt')], times),
    edge: lambdaCycles('prometheus', 'prometheus', k.edge, [edgeBody(1, nowS), edgeBody(2, nowS)], times),
  };
  return { run: second, lines, k, lambda, epoch, stateTime };
}

const DIGEST_NODE = /__[0-9a-f]{8}$/;

describe.each(awks())('mackerel-plugin-ecs-tasks and the Lambda on real and edge-case bodies, with %s', (awk) => {
  it('prints exactly the names, values and epochs the Lambda posts for the second of two scrapes', async () => {
    // Prepare
    await symlink(awk, path.join(sandbox.root, 'bin', 'awk'));
    // Act
    const { run, lines, k, lambda, epoch, stateTime } = await twoRuns();
    // Assess: every target, name by name.
    expect(epoch - stateTime).toBeGreaterThanOrEqual(15);
    for (const target of ['node', 'prom', 'edge'] as const) {
      const l: LambdaResult = lambda[target];
      expect(l.error).toBeUndefined();
      expect(postDifferences(pluginPosts(lines, 'prometheus', k[target]), l.posted)).toEqual([]);
    }
    expect(lines).toHaveLength(Object.keys({ ...lambda.node.posted, ...lambda.prom.posted, ...lambda.edge.posted }).length);
    // Real bodies: hundreds of series, counters as rates, a few digest-form nodes (labels such as mountpoint="/").
    const nodeNames = Object.keys(lambda.node.posted);
    expect(nodeNames.length).toBeGreaterThan(400);
    expect(nodeNames).toContain(`prometheus.${k.node}.node_cpu_seconds_total.0_idle`);
    expect(nodeNames.filter((n) => DIGEST_NODE.test(n)).length).toBeGreaterThan(0);
    expect(Object.keys(lambda.prom.posted).length).toBeGreaterThan(150);
    // The edge cases, spelled out.
    const edge = pluginPosts(lines, 'prometheus', k.edge);
    const names = Object.keys(edge).map((n) => n.slice(`prometheus.${k.edge}.`.length));
    expect(names.filter((n) => n.startsWith('city.'))).toEqual([expect.stringMatching(/^city\.__[0-9a-f]{8}$/), expect.stringMatching(/^city\.__[0-9a-f]{8}$/)]);
    expect(new Set(names.filter((n) => n.startsWith('city.'))).size).toBe(2);
    expect(names.filter((n) => n.startsWith('http_path.'))).toEqual([expect.stringMatching(/^http_path\.a_b__[0-9a-f]{8}$/), expect.stringMatching(/^http_path\.a_b__[0-9a-f]{8}$/)]);
    expect(names.filter((n) => n.startsWith('pairs.')).sort()).toEqual(['pairs.x_y', expect.stringMatching(/^pairs\.x_y__[0-9a-f]{8}$/)]);
    expect(names).toContainEqual(expect.stringMatching(/^win_path\.C_Windows__[0-9a-f]{8}$/));
    expect(names.filter((n) => /info/.test(n))).toEqual(['ratio_info.value']);
    expect(names.filter((n) => /created|bucket/.test(n))).toEqual([]);
    expect(names).toEqual(expect.arrayContaining(['latency_seconds.q0_5', 'req_total.200_GET', 'queue_gcount.value', 'queue_gsum.value', 'feature.a', 'feature.b', 'value_after.value']));
    expect(names).toContainEqual(expect.stringMatching(/^latency_seconds\.api_q0_99__[0-9a-f]{8}$/));
    expect(edge[`prometheus.${k.edge}.req_total.200_GET`]?.value).toBeCloseTo(60 / (epoch - stateTime), 9);
    expect(edge[`prometheus.${k.edge}.dup.1`]?.value).toBe(1);
    expect(edge[`prometheus.${k.edge}.taken.x`]?.value).toBe(1);
    // The exporter's own times: the rate over them, and each sample at its own (floored) second.
    expect(edge[`prometheus.${k.edge}.stamped_total.value`]).toEqual({ value: 1, time: nowS - 600 + 30 });
    expect(edge[`prometheus.${k.edge}.stamped.hour-ago`]).toEqual({ value: 1, time: nowS - 3600 });
    expect(edge[`prometheus.${k.edge}.stamped.om-seconds`]).toEqual({ value: 4, time: nowS - 60 });
    expect(names.filter((n) => n.startsWith('stamped.')).sort()).toEqual(['stamped.hour-ago', 'stamped.om-seconds']);
    expect(names).toContainEqual(expect.stringMatching(/^long_plain\.a{40}_b{13}__[0-9a-f]{8}$/));
    // Skipped lines, the collision and the timestamps outside the window are noted, counted as the Lambda does.
    const drops = lambda.edge.dropped;
    expect([drops['unparsable line'], drops['name collision'], drops['duplicate series'], drops["timestamp outside Mackerel's window"]]).toEqual([3, 1, 1, 2]);
    const lineOf = (start: string): number => edgeBody(2, nowS).toString('utf8').split('\n').findIndex((l) => l.startsWith(start)) + 1;
    expect(run.stderr).toBe(
      `mackerel-plugin-ecs-tasks: container ecs-edge-1-app-0e0e0e0e0e03 (0e0e0e0e0e03): 127.0.0.1:${served.server.port}/edge: ` +
        `3 unparsable line(s) skipped, the first: expected a label name at column 9: line ${lineOf('broken{')} ` +
        '1 series not posted: their name was taken by an earlier series (taken.x) ' +
        `2 sample(s) with a timestamp outside Mackerel's window (24 h past, 10 min ahead) not posted, the first on line ${lineOf('stamped{at="two-days-ago"}')}\n`,
    );
  });

  it('falls back to openssl for the digests when sha256sum is missing', async () => {
    // Prepare
    const restricted = await restrictedPath(sandbox, awk, ['openssl']);
    // Act
    const { lines, k, lambda } = await twoRuns({ PATH: restricted });
    // Assess
    for (const target of ['node', 'prom', 'edge'] as const) {
      expect(postDifferences(pluginPosts(lines, 'prometheus', k[target]), lambda[target].posted)).toEqual([]);
    }
  });

  it('leaves out only the digest-form series, and says so, when neither sha256sum nor openssl is there', async () => {
    // Prepare
    const restricted = await restrictedPath(sandbox, awk, []);
    // Act
    const { run, lines, k, lambda } = await twoRuns({ PATH: restricted });
    // Assess: the plain names exactly; no digest name (a wrong one would be worse than none).
    const plainOnly = Object.fromEntries(Object.entries(lambda.node.posted).filter(([n]) => !DIGEST_NODE.test(n)));
    expect(Object.keys(plainOnly).length).toBeLessThan(Object.keys(lambda.node.posted).length);
    expect(postDifferences(pluginPosts(lines, 'prometheus', k.node), plainOnly)).toEqual([]);
    const digests = Object.keys(lambda.node.posted).length - Object.keys(plainOnly).length;
    expect(run.stderr).toContain(`container ecs-node-exporter-1-app-0e0e0e0e0e01 (0e0e0e0e0e01): 127.0.0.1:${served.server.port}/node: ${digests} series not posted: their name needs SHA-256 and neither sha256sum nor openssl worked`);
  });
});
