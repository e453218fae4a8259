/**
 * Name filters at discovery: `mackerel.metrics.include|exclude|max-names` labels and the `include`, `exclude`,
 * `maxNames` fields of TARGET_RULES become fields of the target; labels win over a rule field by field; a bad
 * value skips the container with the label quoted, and its neighbours are unaffected.
 */
import type { ClusterSnapshot, TaskDefinition } from '../../src/discovery/model';
import { parseTargetRules, type TargetRule } from '../../src/discovery/rules';
import { isCandidateTaskDefinition, resolveTargets } from '../../src/discovery/targetResolver';
import { fixtureSnapshot } from './fixtures';

/** Task 01 of the fixture cluster runs family `api`: container `api` (gostats on 8080) and `envoy` (convention, 9901). */
const API_TASK = 'prod/01f1c0e2a9b8d4c7e8f90a1b2c3d4e5f';
const API_ID = `${API_TASK}/api:8080`;
const ENVOY_ID = `${API_TASK}/envoy:9901`;

/** The fixture snapshot with extra docker labels on one container of the `api` task definition. */
function withLabels(container: string, labels: Record<string, string>, drop: readonly string[] = []): ClusterSnapshot {
  const snapshot = fixtureSnapshot();
  const taskDefinitions = new Map<string, TaskDefinition>();
  for (const [arn, td] of snapshot.taskDefinitions) {
    if (td.family !== 'api') {
      taskDefinitions.set(arn, td);
      continue;
    }
    const containers = td.containers.map((c) => {
      if (c.name !== container) return c;
      const kept = Object.fromEntries(Object.entries(c.dockerLabels).filter(([k]) => !drop.includes(k)));
      return { ...c, dockerLabels: { ...kept, ...labels } };
    });
    taskDefinitions.set(arn, { ...td, containers });
  }
  return { ...snapshot, taskDefinitions };
}

function rules(json: unknown): TargetRule[] {
  const parsed = parseTargetRules(JSON.stringify(json));
  if (!parsed.ok) throw new Error(parsed.error.join('\n'));
  return parsed.value;
}

function resolve(snapshot: ClusterSnapshot, targetRules: readonly TargetRule[] = []) {
  const result = resolveTargets(snapshot, targetRules);
  return {
    target: (id: string) => result.targets.find((t) => t.id === id),
    skips: (id: string) => result.skipped.filter((s) => s.target === id).map((s) => s.reason),
    result,
  };
}

describe('filter labels', () => {
  it('puts the include, exclude and max-names labels on the target, trimmed', () => {
    // Act
    const { target } = resolve(withLabels('api', { 'mackerel.metrics.include': ' runtime\\..*|memory\\..* ', 'mackerel.metrics.exclude': 'memory\\.memory_sys', 'mackerel.metrics.max-names': '50' }));

    // Assess
    expect(target(API_ID)).toMatchObject({ include: 'runtime\\..*|memory\\..*', exclude: 'memory\\.memory_sys', maxNames: 50, format: 'gostats' });
  });

  it('leaves the filter fields off a target without filter labels', () => {
    const t = resolve(fixtureSnapshot()).target(API_ID);
    expect(t).toBeDefined();
    expect(t && ['include', 'exclude', 'maxNames'].filter((k) => k in t)).toEqual([]);
  });

  it('reads the filter labels beside the ECS_PROMETHEUS_EXPORTER_PORT convention too', () => {
    const { target } = resolve(withLabels('envoy', { 'mackerel.metrics.exclude': 'envoy_cluster_.*' }));
    expect(target(ENVOY_ID)).toMatchObject({ format: 'prometheus', exclude: 'envoy_cluster_.*' });
  });

  it('skips a container whose include does not compile, quoting the label, and still resolves its neighbour', () => {
    // Act
    const { target, skips } = resolve(withLabels('api', { 'mackerel.metrics.include': 'runtime\\.(goroutine' }));

    // Assess
    expect(target(API_ID)).toBeUndefined();
    expect(skips(API_ID)).toEqual([expect.stringMatching(/^label mackerel\.metrics\.include="runtime\\\\\.\(goroutine" is not a valid regular expression: missing closing \)/)]);
    expect(target(ENVOY_ID)).toBeDefined();
  });

  it('refuses lookaround and backreferences with the reason: patterns run in linear time', () => {
    const { skips } = resolve(withLabels('api', { 'mackerel.metrics.exclude': '(?!runtime).*' }));
    expect(skips(API_ID)).toEqual(['label mackerel.metrics.exclude="(?!runtime).*" is not a valid regular expression: lookahead is not supported: patterns run in linear time (RE2 syntax)']);
  });

  it('refuses an empty pattern and a max-names out of range, listing every bad label', () => {
    const { skips } = resolve(withLabels('api', { 'mackerel.metrics.include': ' ', 'mackerel.metrics.max-names': '0' }));
    expect(skips(API_ID)).toEqual([
      'label mackerel.metrics.include=" " must be a non-empty regular expression; label mackerel.metrics.max-names="0" must be an integer 1-10000',
    ]);
  });

  it('reports a filter label on a container without a metrics port, as it does a stray format label', () => {
    // Act
    const { skips, result } = resolve(withLabels('nginx', { 'mackerel.metrics.exclude': 'x\\..*' }));

    // Assess
    expect(skips(`${API_TASK}/nginx`)).toEqual(['label mackerel.metrics.exclude="x\\\\..*" is set but mackerel.metrics.port is not (and no TARGET_RULES rule matches)']);
    expect(result.targets.some((t) => t.containerName === 'nginx')).toBe(false);
  });

  it('makes a container with only a filter label a discovery candidate, so its mistake is reported', () => {
    const td = withLabels('nginx', { 'mackerel.metrics.include': 'x' }).taskDefinitions;
    const api = [...td.values()].find((t) => t.family === 'api');
    if (!api) throw new Error('no api task definition');
    expect(isCandidateTaskDefinition({ ...api, containers: api.containers.filter((c) => c.name === 'nginx') }, [])).toBe(true);
  });
});

describe('filter fields of TARGET_RULES', () => {
  const labelless = (): ClusterSnapshot => withLabels('api', {}, ['mackerel.metrics.port', 'mackerel.metrics.format']);

  it("gives a target found by a rule the rule's include, exclude and maxNames", () => {
    // Act
    const { target } = resolve(labelless(), rules([{ family: 'api', container: 'api', port: 8080, format: 'gostats', include: 'heap\\..*', exclude: 'heap\\.heap_idle', maxNames: 20 }]));

    // Assess
    expect(target(API_ID)).toMatchObject({ include: 'heap\\..*', exclude: 'heap\\.heap_idle', maxNames: 20, format: 'gostats' });
  });

  it('lets a label override one filter field of a rule and keeps the others', () => {
    // Prepare
    const snapshot = withLabels('api', { 'mackerel.metrics.exclude': 'gc\\..*' }, ['mackerel.metrics.port', 'mackerel.metrics.format']);

    // Act
    const { target } = resolve(snapshot, rules([{ container: 'api', port: 8080, format: 'gostats', include: 'gc\\..*|heap\\..*', exclude: 'heap\\..*', maxNames: 20 }]));

    // Assess
    expect(target(API_ID)).toMatchObject({ include: 'gc\\..*|heap\\..*', exclude: 'gc\\..*', maxNames: 20 });
  });

  it('reports bad filter fields with the rule index, and accepts the new keys as known', () => {
    // Act
    const parsed = parseTargetRules(JSON.stringify([{ container: 'api', port: 8080, include: '(?<=x)y', exclude: '', maxNames: '50' }, { container: 'b', port: 1, maxNames: 10_001 }]));

    // Assess
    expect(parsed).toEqual({
      ok: false,
      error: [
        'TARGET_RULES[0].include "(?<=x)y" is not a valid regular expression: lookbehind is not supported: patterns run in linear time (RE2 syntax)',
        'TARGET_RULES[0].exclude "" must be a non-empty regular expression',
        'TARGET_RULES[0].maxNames "50" must be an integer 1-10000',
        'TARGET_RULES[1].maxNames 10001 must be an integer 1-10000',
      ],
    });
  });
});
