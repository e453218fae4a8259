/**
 * How the CLI shows name filters: `discover` refers to each distinct set of filters from a FILTERS column and
 * spells it out under the table; `collect` lists what each filter kept from being posted.
 */
import { formatSummary, formatTargetTable } from '../../src/cliFormat';
import { DROP_EXCLUDED, DROP_NOT_INCLUDED, DROP_OVER_MAX_NAMES } from '../../src/filter/metricFilter';
import type { CycleSummary } from '../../src/pipeline/collect';
import type { Target } from '../../src/types';

function targetOf(n: number, fields: Partial<Target> = {}): Target {
  const taskId = `${n}`.padStart(32, '0');
  return {
    id: `prod/${taskId}/node-exporter:9100`, cluster: 'prod', service: 'node', family: 'node', revision: 1, taskId,
    taskArn: `arn:aws:ecs:us-east-1:111122223333:task/prod/${taskId}`, containerName: 'node-exporter', launchType: 'EC2',
    networkMode: 'bridge', ec2InstanceId: 'i-0aa11bb22cc33dd44', address: '127.0.1.5', port: 32768 + n, containerPort: 9100,
    path: '/metrics', format: 'prometheus', prefix: 'node', ...fields,
  };
}

function summaryOf(dropped: Record<string, number>): CycleSummary {
  return {
    clusters: ['prod'], targets: 1, scraped: 1, samples: 150, posted: 0, graphDefs: 0, hosts: 1, inventoriesWritten: 0, serviceMetrics: 0,
    skipped: [], failed: [], failedBy: {}, skippedBy: {}, byCluster: {}, discoveryFailed: [], dropped, retryQueue: 0,
    retryDropped: { cap: 0, age: 0 }, bytesScraped: 100, durationMs: 1, dryRun: true,
  };
}

describe('discover (human form) with name filters', () => {
  it('adds a FILTERS column naming each distinct set of filters once, spelled out under the table', () => {
    // Prepare
    const include = 'node_(cpu|filesystem|network)_.*';
    const targets = [
      targetOf(1, { include, exclude: '.*tmpfs.*' }),
      targetOf(2, { include, exclude: '.*tmpfs.*' }),
      targetOf(3, { maxNames: 500 }),
      targetOf(4),
    ];

    // Act
    const lines = formatTargetTable({ targets, skipped: [], failed: [], discoveryFailed: [] }).split('\n');

    // Assess
    expect(lines[0]).toMatch(/PREFIX {2}FILTERS$/);
    expect(lines.slice(1, 5).map((l) => l.trim().split(/\s+/).at(-1))).toEqual(['F1', 'F1', 'F2', '-']);
    expect(lines.slice(5)).toEqual([
      '4 target(s)',
      'filters (patterns match the whole <graph>.<metric> part of a name; "-": none, MAX_NAMES_PER_TARGET applies):',
      '  F1: include="node_(cpu|filesystem|network)_.*" exclude=".*tmpfs.*"',
      '  F2: max-names=500',
    ]);
  });

  it('prints the table as before when no target has filters', () => {
    const text = formatTargetTable({ targets: [targetOf(1)], skipped: [], failed: [], discoveryFailed: [] });
    expect(text.split('\n')[0]).toMatch(/PREFIX$/);
    expect(text).not.toMatch(/FILTERS|filters/);
  });
});

describe('collect (human form) with name filters', () => {
  it('lists what each filter kept from being posted, in the order the filters run, apart from other drops', () => {
    // Act
    const text = formatSummary(summaryOf({ [DROP_OVER_MAX_NAMES]: 12, 'counter baseline': 40, [DROP_EXCLUDED]: 30, [DROP_NOT_INCLUDED]: 310 }));

    // Assess
    expect(text.split('\n').slice(1)).toEqual([
      'dropped samples:',
      '  counter baseline: 40',
      'not posted, by the name filters (include, then exclude, then the cap):',
      '  not matched by mackerel.metrics.include: 310',
      '  excluded by mackerel.metrics.exclude: 30',
      '  over MAX_NAMES_PER_TARGET: 12',
    ]);
  });

  it('prints no filter section when the filters dropped nothing', () => {
    expect(formatSummary(summaryOf({ 'counter baseline': 2 }))).not.toMatch(/name filters/);
  });
});
