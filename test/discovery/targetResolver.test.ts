import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TaskDefinition } from '../../src/discovery/model';
import { parseTargetRules, type TargetRule } from '../../src/discovery/rules';
import { isCandidateTaskDefinition, resolveTargets } from '../../src/discovery/targetResolver';
import { FIXTURE_DIR, fixtureRules, fixtureSnapshot } from './fixtures';

const GOLDEN = path.join(FIXTURE_DIR, 'targets.expected.json');
const idOf = (n: number, container: string, port: number | undefined): string =>
  `prod/${n.toString(16).padStart(2, '0')}f1c0e2a9b8d4c7e8f90a1b2c3d4e5f/${container}${port === undefined ? '' : `:${port}`}`;

function resolveFixture(rules: readonly TargetRule[] = fixtureRules()) {
  return resolveTargets(fixtureSnapshot(), rules);
}
const targetById = (id: string) => resolveFixture().targets.find((t) => t.id === id);
const skipFor = (id: string) => resolveFixture().skipped.filter((s) => s.target === id).map((s) => s.reason);

describe('resolveTargets on the fixture cluster', () => {
  it('produces the sorted targets and skips of the golden file', () => {
    // Prepare
    const result = resolveFixture();
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(GOLDEN, JSON.stringify(result, null, 2) + '\n');
    const expected: unknown = JSON.parse(readFileSync(GOLDEN, 'utf8'));

    // Act / Assess
    expect(result).toEqual(expected);
    expect(result.targets.map((t) => t.id)).toEqual([...result.targets.map((t) => t.id)].sort());
  });

  it('scrapes a bridge container on the instance IP and the dynamic host port of its binding', () => {
    expect(targetById(idOf(1, 'api', 8080))).toMatchObject({
      address: '127.0.1.10', port: 32768, containerPort: 8080, networkMode: 'bridge', format: 'gostats',
      path: '/api/stats', prefix: 'gostats', service: 'api', family: 'api', revision: 42, ec2InstanceId: 'i-0aa11bb22cc33dd44',
    });
    expect(targetById(idOf(2, 'api', 8080))).toMatchObject({ address: '127.0.1.11', port: 32771 });
  });

  it('counts a port ECS lists for both 0.0.0.0 and :: once', () => {
    // Prepare: the fixture lists 8080->32768 twice, once per bind address.
    const api = fixtureSnapshot().tasks[0]?.containers.find((c) => c.name === 'api');

    // Act
    const ids = resolveFixture().targets.map((t) => t.id);

    // Assess
    expect(api?.networkBindings).toEqual([{ containerPort: 8080, hostPort: 32768 }]);
    expect(ids.filter((id) => id === idOf(1, 'api', 8080))).toHaveLength(1);
  });

  it('scrapes a host-mode container on the instance IP and its port, without a service for a standalone task', () => {
    const t = targetById(idOf(3, 'worker', 9100));
    expect(t).toMatchObject({ address: '127.0.1.10', port: 9100, networkMode: 'host', format: 'plugin', path: '/metrics', prefix: 'worker' });
    expect(t?.service).toBeUndefined();
  });

  it('scrapes an awsvpc container on the task ENI address and the container port', () => {
    expect(targetById(idOf(4, 'billing', 9090))).toMatchObject({
      address: '127.0.4.23', port: 9090, networkMode: 'awsvpc', format: 'prometheus', path: '/metrics', prefix: 'prometheus',
      ec2InstanceId: 'i-0bb22cc33dd44ee55',
    });
  });

  it('never targets or reports the ~internal~ecs~pause container', () => {
    const { targets, skipped } = resolveFixture();
    expect(targets.some((t) => t.containerName.includes('pause'))).toBe(false);
    expect(skipped.some((s) => s.target.includes('pause'))).toBe(false);
  });

  it('skips a Fargate task with the reason that there is no EC2 host to post to', () => {
    expect(skipFor(idOf(5, 'frontend', 9113))).toEqual(['Fargate task: no EC2 host to post to (set MACKEREL_SERVICE to post its metrics as service metrics)']);
  });

  it('skips a bridge target with no host binding instead of guessing a port', () => {
    expect(skipFor(idOf(6, 'batch', 9200))).toEqual(['no host port for container port 9200']);
  });

  it('reports each bad label with the label and its value, and still resolves other containers', () => {
    expect(skipFor(idOf(7, 'bad-port', undefined))).toEqual(['label mackerel.metrics.port="http" must be an integer 1-65535']);
    expect(skipFor(idOf(7, 'out-of-range', undefined))).toEqual(['label mackerel.metrics.port="70000" must be an integer 1-65535']);
    expect(skipFor(idOf(7, 'bad-format', 8080))).toEqual(['label mackerel.metrics.format="json" must be one of gostats, prometheus, plugin']);
    expect(skipFor(idOf(7, 'bad-path', 8081))[0]).toContain('label mackerel.metrics.path="metrics" must start with \'/\'');
    expect(skipFor(idOf(7, 'bad-prefix', 8082))[0]).toContain('label mackerel.metrics.prefix="my.app"');
    expect(skipFor(idOf(7, 'stray-format', undefined))).toEqual([
      'label mackerel.metrics.format="gostats" is set but mackerel.metrics.port is not (and no TARGET_RULES rule matches)',
    ]);
    expect(resolveFixture().targets.filter((t) => t.family === 'legacy')).toEqual([]);
  });

  it('targets a container named only by a rule, as the seed did with docker ps --filter', () => {
    expect(targetById(idOf(8, 'app', 8000))).toMatchObject({ port: 32790, format: 'gostats', path: '/api/stats', prefix: 'gostats' });
  });

  it('prefers labels over a rule, and lets a label override one field of a rule', () => {
    expect(targetById(idOf(8, 'sidecar', 9100))).toMatchObject({ port: 32791, format: 'prometheus' });
    expect(targetById(idOf(8, 'sidecar', 1234))).toBeUndefined();
    expect(targetById(idOf(8, 'exporter', 9300))).toMatchObject({ port: 32792, path: '/custom', format: 'prometheus' });
  });

  it('reads the ECS_PROMETHEUS_EXPORTER_PORT convention, and mackerel.* labels win over it', () => {
    expect(targetById(idOf(1, 'envoy', 9901))).toMatchObject({ port: 32769, format: 'prometheus', path: '/stats/prometheus' });
    expect(targetById(idOf(8, 'both', 8081))).toMatchObject({ port: 32793, format: 'gostats' });
    expect(targetById(idOf(8, 'both', 9901))).toBeUndefined();
  });

  it('ignores unlabelled containers without listing them as skipped', () => {
    const { targets, skipped } = resolveFixture();
    expect(targets.some((t) => t.containerName === 'nginx')).toBe(false);
    expect(skipped.some((s) => s.target.includes('/nginx'))).toBe(false);
  });

  it('skips network mode none and tasks whose instance or definition is unknown, each with its reason', () => {
    expect(skipFor(idOf(9, 'job', 9100))).toEqual(['network mode none: the task has no network to scrape']);
    expect(skipFor(idOf(10, 'orphan', 9100))).toEqual(['EC2 instance i-0cc33dd44ee55ff66 was not described']);
    expect(skipFor(idOf(11, 'orphan', 9100))[0]).toMatch(/^container instance arn:aws:ecs:.*:container-instance\/prod\/3d4e.* was not described$/);
    expect(skipFor('arn:aws:ecs:eu-west-1:111122223333:task/prod/0cf1c0e2a9b8d4c7e8f90a1b2c3d4e5f')).toEqual([
      'task definition arn:aws:ecs:eu-west-1:111122223333:task-definition/ghost:9 was not described',
    ]);
  });

  it('addresses bridge and host targets on 127.0.0.1 in ssm mode, where no EC2 instance is described', () => {
    // Prepare
    const snapshot = { ...fixtureSnapshot(), instances: new Map() };

    // Act
    const { targets } = resolveTargets(snapshot, fixtureRules(), { hostAddress: 'loopback' });

    // Assess
    const api = targets.find((t) => t.id === idOf(1, 'api', 8080));
    expect(api).toMatchObject({ address: '127.0.0.1', port: 32768, ec2InstanceId: 'i-0aa11bb22cc33dd44' });
    expect(targets.find((t) => t.id === idOf(4, 'billing', 9090))?.address).toBe('127.0.4.23');
  });
});

describe('isCandidateTaskDefinition', () => {
  const td = (labels: Record<string, string>, name = 'app'): TaskDefinition => ({
    arn: 'arn:aws:ecs:eu-west-1:111122223333:task-definition/plain:1', family: 'plain', revision: 1, networkMode: 'bridge',
    containers: [{ name, portMappings: [], dockerLabels: labels }],
  });

  it('is true for a labelled container or one a rule names, false otherwise', () => {
    const rules = parseTargetRules('[{"container":"side","port":9000}]');
    if (!rules.ok) throw new Error('rules');
    expect(isCandidateTaskDefinition(td({ 'mackerel.metrics.port': '9100' }), [])).toBe(true);
    expect(isCandidateTaskDefinition(td({ ECS_PROMETHEUS_EXPORTER_PORT: '9100' }), [])).toBe(true);
    expect(isCandidateTaskDefinition(td({}, 'side'), rules.value)).toBe(true);
    expect(isCandidateTaskDefinition(td({ 'com.example': 'x' }), rules.value)).toBe(false);
  });
});
