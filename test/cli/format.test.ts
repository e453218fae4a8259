/**
 * The human output of `collect` and `discover`: failures and skips grouped by `stage/kind`, counts first, a few
 * examples per group, so that 10,000 targets failing for two reasons read as a handful of lines.
 */
import { EXAMPLES_PER_GROUP, formatSummary, formatTargetTable } from '../../src/cliFormat';
import type { CycleSummary } from '../../src/pipeline/collect';
import type { Issue } from '../../src/types';

function summaryOf(fields: Partial<CycleSummary>): CycleSummary {
  return {
    clusters: ['prod'], targets: 0, scraped: 0, samples: 0, posted: 0, graphDefs: 0, hosts: 0, inventoriesWritten: 0, serviceMetrics: 0,
    skipped: [], failed: [], failedBy: {}, skippedBy: {}, byCluster: {}, discoveryFailed: [], dropped: {}, retryQueue: 0,
    retryDropped: { cap: 0, age: 0 }, bytesScraped: 0, durationMs: 1, dryRun: false,
    ...fields,
  };
}

const timeout = (n: number): Issue => ({ target: `prod/${String(n).padStart(32, '0')}/api:8080`, reason: 'scrape: timed out after 3000 ms', stage: 'scrape', kind: 'timeout' });
const refused = (n: number): Issue => ({ target: `prod/${String(n).padStart(32, 'f')}/web:9100`, reason: 'scrape: connection refused (10.0.1.7:32768)', stage: 'scrape', kind: 'refused' });

describe('collect (human form)', () => {
  it('prints 10,000 failures with two root causes as counts plus a few examples per cause', () => {
    // Prepare
    const failed = [...Array.from({ length: 9_998 }, (_, i) => timeout(i)), refused(1), refused(2)];
    const s = summaryOf({ targets: 10_000, failed, failedBy: { 'scrape/refused': 2, 'scrape/timeout': 9_998 } });

    // Act
    const lines = formatSummary(s).split('\n');

    // Assess
    expect(lines.length).toBeLessThan(15);
    expect(lines[1]).toBe('failed (10000): scrape/timeout 9998, scrape/refused 2');
    expect(lines[2]).toBe('  scrape/timeout (9998):');
    expect(lines.slice(3, 3 + EXAMPLES_PER_GROUP)).toEqual(Array.from({ length: EXAMPLES_PER_GROUP }, (_, i) => `    ${timeout(i).target}: scrape: timed out after 3000 ms`));
    expect(lines[3 + EXAMPLES_PER_GROUP]).toBe(`    … and ${9_998 - EXAMPLES_PER_GROUP} more`);
    expect(lines.slice(4 + EXAMPLES_PER_GROUP)).toEqual([
      '  scrape/refused (2):',
      `    ${refused(1).target}: scrape: connection refused (10.0.1.7:32768)`,
      `    ${refused(2).target}: scrape: connection refused (10.0.1.7:32768)`,
    ]);
  });

  it('says which clusters went unseen, and groups skipped entries the same way', () => {
    // Prepare
    const skipped: Issue[] = [{ target: 'prod/abc/edge:80', reason: 'Fargate task: no EC2 host to post to', stage: 'discovery', kind: 'fargate' }];
    const failed: Issue[] = [{ target: 'staging', reason: 'ListTasks failed (cluster staging): Rate exceeded', stage: 'discovery', kind: 'throttled' }];
    const s = summaryOf({ clusters: ['prod', 'staging'], failed, skipped, discoveryFailed: ['staging'], failedBy: { 'discovery/throttled': 1 }, skippedBy: { 'discovery/fargate': 1 } });

    // Act
    const text = formatSummary(s);

    // Assess
    expect(text).toContain('discovery failed entirely for 1 cluster(s): staging (their tasks were not seen)');
    expect(text).toContain('failed (1): discovery/throttled 1\n  discovery/throttled (1):\n    staging: ListTasks failed (cluster staging): Rate exceeded');
    expect(text).toContain('skipped (1): discovery/fargate 1\n  discovery/fargate (1):\n    prod/abc/edge:80: Fargate task: no EC2 host to post to');
  });

  it('prints no failure section when nothing failed', () => {
    expect(formatSummary(summaryOf({ targets: 3, scraped: 3 }))).not.toMatch(/failed|skipped/);
  });
});

describe('discover (human form)', () => {
  it('lists the failed entries with their root cause under the table, not only the skipped ones', () => {
    // Prepare
    const cause = 'DescribeInstances failed: connect ECONNREFUSED 127.0.0.1:9';
    const failed: Issue[] = Array.from({ length: 40 }, (_, i) => ({ target: `prod/${i}/api:8080`, reason: cause, stage: 'discovery', kind: 'refused' }));

    // Act
    const text = formatTargetTable({ targets: [], skipped: [], failed, discoveryFailed: [] });

    // Assess
    expect(text).toContain(`failed (40): discovery/refused 40\n  discovery/refused (40):\n    prod/0/api:8080: ${cause}`);
    expect(text).toContain(`    … and ${40 - EXAMPLES_PER_GROUP} more`);
    expect(text.split('\n').length).toBeLessThan(12);
  });
});
