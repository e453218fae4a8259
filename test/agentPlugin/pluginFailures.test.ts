import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { LoopbackServer } from '../scrape/loopbackServer';
import { deadPort } from '../scrape/loopbackServer';
import { containerId, ecsLabels } from './fleet';
import { createSandbox, pluginLines, runPlugin, valuesByName, type FakeContainer, type PluginSandbox } from './pluginHarness';
import { promService, startGostats, startProm, startText } from './services';

const PLUGIN_TEXT = [
  '# mackerel-agent-plugin',
  '{"graphs":{"queue.jobs":{"label":"Jobs","unit":"integer","metrics":[{"name":"*","label":"%1"}]}}}',
  'queue.jobs.waiting\t12\t1767225600',
  'queue.jobs.running 3 1767225600',
  'uptime\t3600\t1767225600',
  'not a metric line',
  '',
].join('\n');

let sandbox: PluginSandbox | undefined;
const servers: LoopbackServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  await sandbox?.cleanup();
  sandbox = undefined;
});

/** The stderr line the plugin prints for one container. */
function reportFor(stderr: string, names: string): string {
  return stderr.split('\n').find((l) => l.includes(`container ${names} `)) ?? `(no line for ${names})`;
}

describe('mackerel-plugin-ecs-tasks when some containers fail', () => {
  it('reports each failing container on one stderr line, prints all the others and exits 0', async () => {
    // Prepare
    const healthy = await startGostats({ goroutine_num: 5 });
    const jobs = await startText(PLUGIN_TEXT);
    const prom = promService();
    const envoy = await startProm(prom.registry, '/custom/metrics');
    // Nothing readable: the container fails. A bad line among good ones is skipped and noted; the rest is printed.
    const broken = await startText('# TYPE ok gauge\nbroken{ 2\n<html>\n');
    const partly = await startText('ok 1\nbroken{ 2\nalso 3\n');
    servers.push(healthy.server, jobs, envoy, broken, partly);
    const refused = await deadPort();
    const containers: FakeContainer[] = [
      {
        id: containerId('e5e5e5e5e5e5'),
        names: 'ecs-api-4-web-refusing',
        networks: 'bridge',
        labels: { ...ecsLabels('api', 'e5e5e5e5aaaabbbbccccddddeeeeffff', 'web'), 'mackerel.metrics.port': '8080', 'mackerel.metrics.format': 'gostats' },
        ports: { '8080/tcp': [`0.0.0.0:${refused}`, `[::]:${refused}`] },
      },
      {
        // Started with plain `docker run`: no ECS labels, so the key falls back to name and container id.
        id: containerId('f6f6f6f6f6f6'),
        names: 'metrics-sidecar',
        networks: 'bridge',
        labels: { 'mackerel.metrics.port': '8080', 'mackerel.metrics.format': 'gostats' },
        ports: { '8080/tcp': [`0.0.0.0:${healthy.server.port}`] },
      },
      {
        id: containerId('0707070707aa'),
        names: 'ecs-jobs-1-runner-0a1b',
        networks: 'bridge',
        labels: { ...ecsLabels('jobs', '0707070711112222333344445555aaaa', 'runner'), 'mackerel.metrics.port': '9000', 'mackerel.metrics.format': 'plugin', 'mackerel.metrics.path': '/plugin' },
        ports: { '9000/tcp': [`0.0.0.0:${jobs.port}`] },
      },
      {
        // The CloudWatch agent / OpenTelemetry convention, with a prefix label on top.
        id: containerId('0808080808bb'),
        names: 'ecs-envoy-2-proxy-0c1d',
        networks: 'bridge',
        labels: { ...ecsLabels('envoy', '08080808aaaa2222333344445555bbbb', 'proxy'), ECS_PROMETHEUS_EXPORTER_PORT: '9404', ECS_PROMETHEUS_METRICS_PATH: '/custom/metrics', 'mackerel.metrics.prefix': 'envoy' },
        ports: { '9404/tcp': [`0.0.0.0:${envoy.port}`] },
      },
      {
        id: containerId('0909090909cc'),
        names: 'ecs-cache-1-redis-unpublished',
        networks: 'bridge',
        labels: { ...ecsLabels('cache', '0909090911112222333344445555cccc', 'redis'), 'mackerel.metrics.port': '9121' },
      },
      {
        id: containerId('0a0a0a0a0add'),
        names: 'ecs-legacy-1-app-statsd',
        networks: 'host',
        labels: { ...ecsLabels('legacy', '0a0a0a0a11112222333344445555dddd', 'app'), 'mackerel.metrics.port': '8125', 'mackerel.metrics.format': 'statsd' },
      },
      {
        // awsvpc on EC2: the app container joins the pause container's namespace, so docker lists no network.
        id: containerId('0c0c0c0c0cff'),
        names: 'ecs-vpc-1-app-awsvpc',
        networks: '',
        labels: { ...ecsLabels('vpc', '0c0c0c0c11112222333344445555ffff', 'app'), 'mackerel.metrics.port': '9100' },
      },
      {
        id: containerId('0b0b0b0b0bee'),
        names: 'ecs-broken-1-app-badtext',
        networks: 'bridge',
        labels: { ...ecsLabels('broken', '0b0b0b0b11112222333344445555eeee', 'app'), 'mackerel.metrics.port': '9100' },
        ports: { '9100/tcp': [`0.0.0.0:${broken.port}`] },
      },
      {
        id: containerId('0d0d0d0d0d11'),
        names: 'ecs-partly-1-app-badline',
        networks: 'bridge',
        labels: { ...ecsLabels('partly', '0d0d0d0d11112222333344445555eeee', 'app'), 'mackerel.metrics.port': '9100' },
        ports: { '9100/tcp': [`0.0.0.0:${partly.port}`] },
      },
    ];
    sandbox = await createSandbox(containers);
    // Act
    const run = await sandbox.run();
    // Assess
    expect(run.code).toBe(0);
    const values = valuesByName(pluginLines(run.stdout));
    expect(values['gostats.metrics-sidecar-f6f6f6f6.runtime.goroutine_num']).toBe(5);
    expect(values['plugin.jobs-07070707.queue.jobs.waiting']).toBe(12);
    expect(values['plugin.jobs-07070707.queue.jobs.running']).toBe(3);
    expect(values['plugin.jobs-07070707.uptime.value']).toBe(3600);
    expect(values['envoy.envoy-08080808.temperature.value']).toBe(21.5);
    expect(values['prometheus.partly-0d0d0d0d.ok.value']).toBe(1);
    expect(values['prometheus.partly-0d0d0d0d.also.value']).toBe(3);
    expect(Object.keys(values).filter((n) => /api-e5e5e5e5|cache|legacy|broken|vpc/.test(n))).toEqual([]);
    const stderr = run.stderr.split('\n').filter((l) => l !== '');
    expect(stderr).toHaveLength(6);
    expect(stderr.every((l) => l.startsWith('mackerel-plugin-ecs-tasks: container '))).toBe(true);
    expect(reportFor(run.stderr, 'ecs-api-4-web-refusing')).toMatch(
      new RegExp(`^mackerel-plugin-ecs-tasks: container ecs-api-4-web-refusing \\(e5e5e5e5e5e5\\): 127\\.0\\.0\\.1:${refused}/api/stats: curl: \\(7\\) `),
    );
    expect(reportFor(run.stderr, 'ecs-cache-1-redis-unpublished')).toContain(
      "no host port for container port 9121 (network \"bridge\"): Error: No public port '9121/tcp' published for 0909090909cc",
    );
    expect(reportFor(run.stderr, 'ecs-vpc-1-app-awsvpc')).toContain('no host port for container port 9100: the container has no network of its own (awsvpc task?)');
    expect(reportFor(run.stderr, 'ecs-legacy-1-app-statsd')).toContain('label mackerel.metrics.format="statsd" must be one of gostats, prometheus, plugin');
    expect(reportFor(run.stderr, 'ecs-broken-1-app-badtext')).toMatch(new RegExp(`127\\.0\\.0\\.1:${broken.port}/metrics: expected a label name at column 9: line 2$`));
    expect(reportFor(run.stderr, 'ecs-partly-1-app-badline')).toMatch(
      new RegExp(`127\\.0\\.0\\.1:${partly.port}/metrics: 1 unparsable line\\(s\\) skipped, the first: expected a label name at column 9: line 2$`),
    );
    expect(run.stderr).not.toMatch(/ \n/);
  });

  it('exits 1 and says so when docker is not installed', async () => {
    // Prepare
    sandbox = await createSandbox([]);
    const emptyBin = path.join(sandbox.root, 'nothing');
    await mkdir(emptyBin);
    // Act
    const run = await runPlugin({ PATH: emptyBin, MACKEREL_PLUGIN_WORKDIR: sandbox.stateDir });
    // Assess
    expect(run).toEqual({ code: 1, stdout: '', stderr: 'mackerel-plugin-ecs-tasks: docker not found on PATH\n' });
  });

  it('exits 1 with docker’s own message when the docker daemon does not answer', async () => {
    // Prepare
    sandbox = await createSandbox([]);
    await writeFile(path.join(sandbox.root, 'daemon-down'), '');
    // Act
    const run = await sandbox.run();
    // Assess
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      'mackerel-plugin-ecs-tasks: docker ps failed: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n',
    );
  });

  it('prints nothing and exits 0 on an instance with no labelled container', async () => {
    // Prepare
    sandbox = await createSandbox([]);
    // Act
    const run = await sandbox.run();
    // Assess
    expect(run).toEqual({ code: 0, stdout: '', stderr: '' });
  });
});
