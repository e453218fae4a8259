import { MackerelAuthError, MackerelError } from '../../src/mackerel/errors';
import { collect, summaryLogFields, type CycleSummary } from '../../src/pipeline/collect';
import type { Issue } from '../../src/types';
import { fakeFetcher, fakeHosts, fakeMackerel, fixtureConfig, INSTANCE_A, INSTANCE_B, NOW_MS, pipelineDeps } from './fakes';

const HOST_A = '3kHxYz12aBc';
const HOST_B = '4mJq8Rt5wXy';
const onA = (id: string) => id.startsWith('prod/01') || id.startsWith('prod/03');

describe('collect over the fixture cluster', () => {
  it('posts every target on its instance Mackerel host and reports the counts', async () => {
    // Prepare
    const mackerel = fakeMackerel();
    const deps = pipelineDeps({ fetcher: fakeFetcher(), mackerel, hosts: fakeHosts({ [INSTANCE_A]: HOST_A, [INSTANCE_B]: HOST_B }) });

    // Act
    const s = await collect(fixtureConfig(), deps);

    // Assess
    const posted = mackerel.batches.flat();
    expect(s).toMatchObject({ posted: posted.length, samples: posted.length, scraped: s.targets, hosts: 2, retryQueue: 0, dryRun: false });
    expect(posted.length).toBeGreaterThan(0);
    expect(posted.find((v) => v.name === 'custom.gostats.api-01f1c0e2.runtime.goroutine_num')).toEqual({
      hostId: HOST_A,
      name: 'custom.gostats.api-01f1c0e2.runtime.goroutine_num',
      time: NOW_MS / 1000,
      value: 12,
    });
    expect(posted.find((v) => v.name === 'custom.gostats.api-02f1c0e2.runtime.goroutine_num')?.hostId).toBe(HOST_B);
    expect(mackerel.graphDefs.map((d) => d.name)).toContain('custom.gostats.#.runtime');
    expect(s.graphDefs).toBe(mackerel.graphDefs.length);
  });

  it('does not scrape targets on an instance without a Mackerel host, and lists them as skipped', async () => {
    // Prepare
    const fetcher = fakeFetcher();
    const deps = pipelineDeps({ fetcher, mackerel: fakeMackerel(), hosts: fakeHosts({ [INSTANCE_A]: HOST_A, [INSTANCE_B]: undefined }) });

    // Act
    const s = await collect(fixtureConfig(), deps);

    // Assess
    expect(fetcher.fetched.length).toBeGreaterThan(0);
    expect(fetcher.fetched.every(onA)).toBe(true);
    const noHost = s.skipped.filter((i) => i.reason.includes(`no Mackerel host with custom identifier ${INSTANCE_B}.ec2.amazonaws.com`));
    expect(noHost.length).toBe(s.targets - fetcher.fetched.length);
    expect(s.hosts).toBe(1);
  });

  it('fails only the targets of an instance whose host lookup failed', async () => {
    // Prepare
    const mackerel = fakeMackerel();
    const lookupFailure = new MackerelError('Mackerel GET /api/v0/hosts failed: HTTP 503 (4 attempts)', { status: 503, path: '/api/v0/hosts', attempts: 4 });
    const deps = pipelineDeps({ fetcher: fakeFetcher(), mackerel, hosts: fakeHosts({ [INSTANCE_A]: HOST_A, [INSTANCE_B]: lookupFailure }) });

    // Act
    const s = await collect(fixtureConfig(), deps);

    // Assess
    const failedB = s.failed.filter((i) => /host lookup failed: .*HTTP 503/.test(i.reason));
    expect(failedB.length).toBeGreaterThan(0);
    expect(failedB.every((i) => !onA(i.target))).toBe(true);
    expect(new Set(mackerel.batches.flat().map((v) => v.hostId))).toEqual(new Set([HOST_A]));
  });

  it('reports a target that could not be scraped and posts the others', async () => {
    // Prepare
    const broken = 'prod/01f1c0e2a9b8d4c7e8f90a1b2c3d4e5f/api:8080';
    const mackerel = fakeMackerel();
    const deps = pipelineDeps({ fetcher: fakeFetcher(new Set([broken])), mackerel, hosts: fakeHosts({ [INSTANCE_A]: HOST_A, [INSTANCE_B]: HOST_B }) });

    // Act
    const s = await collect(fixtureConfig(), deps);

    // Assess
    // The fixture's own discovery failures (a MISSING task, a ghost task definition, …) are listed too.
    expect(s.failed.filter((i) => i.reason.startsWith('scrape'))).toEqual([{ target: broken, reason: 'scrape: connection refused (127.0.1.10:32768)', stage: 'scrape', kind: 'refused' }]);
    expect(s.scraped).toBe(s.targets - 1);
    expect(mackerel.batches.flat().some((v) => v.name.startsWith('custom.gostats.api-01f1c0e2.'))).toBe(false);
    expect(mackerel.batches.flat().some((v) => v.name.startsWith('custom.gostats.api-02f1c0e2.'))).toBe(true);
  });

  it('stops the cycle when Mackerel rejects the API key', async () => {
    // Prepare
    const mackerel = fakeMackerel();
    mackerel.failPosts.push(new MackerelAuthError('Mackerel POST /api/v0/tsdb rejected the API key: HTTP 401', { status: 401, path: '/api/v0/tsdb', attempts: 1 }));
    const deps = pipelineDeps({ fetcher: fakeFetcher(), mackerel, hosts: fakeHosts({ [INSTANCE_A]: HOST_A, [INSTANCE_B]: HOST_B }) });

    // Act
    const outcome = collect(fixtureConfig(), deps);

    // Assess
    await expect(outcome).rejects.toBeInstanceOf(MackerelAuthError);
  });

  it('queues a batch Mackerel failed and sends it first in the next cycle', async () => {
    // Prepare
    const mackerel = fakeMackerel();
    mackerel.failPosts.push(new MackerelError('Mackerel POST /api/v0/tsdb failed: HTTP 503 (4 attempts)', { status: 503, path: '/api/v0/tsdb', attempts: 4 }));
    const deps = pipelineDeps({ fetcher: fakeFetcher(), mackerel, hosts: fakeHosts({ [INSTANCE_A]: HOST_A, [INSTANCE_B]: HOST_B }) });
    const config = fixtureConfig();

    // Act
    const first = await collect(config, deps);
    const second = await collect(config, { ...deps, now: () => NOW_MS + 60_000 });

    // Assess
    expect(first.posted).toBe(0);
    expect(first.retryQueue).toBe(first.samples);
    expect(first.failed.filter((i) => i.target.startsWith('tsdb'))).toEqual([
      { target: 'tsdb batch 1/1', reason: expect.stringMatching(/HTTP 503.*\(\d+ values queued for the next cycle\)$/), stage: 'post', kind: '5xx' },
    ]);
    expect(second.posted).toBe(first.samples + second.samples);
    const sent = mackerel.batches.flat();
    expect(sent.slice(0, first.samples).every((v) => v.time === NOW_MS / 1000)).toBe(true);
    expect(sent.slice(first.samples).every((v) => v.time === NOW_MS / 1000 + 60)).toBe(true);
    expect(second.retryQueue).toBe(0);
  });

  it('in a dry run without an API key, names the hosts unresolved:<instance> and posts nothing', async () => {
    // Prepare
    const deps = pipelineDeps({ fetcher: fakeFetcher() });
    const config = fixtureConfig({ MACKEREL_API_KEY: '', DRY_RUN: 'true' });

    // Act
    const s = await collect(config, deps);

    // Assess
    expect(s).toMatchObject({ dryRun: true, posted: 0 });
    expect(s.wouldPost?.values).toHaveLength(s.samples);
    expect(new Set(s.wouldPost?.values.map((v) => v.hostId))).toEqual(new Set([`unresolved:${INSTANCE_A}`, `unresolved:${INSTANCE_B}`]));
    expect(s.wouldPost?.graphDefs.map((d) => d.name)).toContain('custom.gostats.#.runtime');
    expect(s.graphDefs).toBe(s.wouldPost?.graphDefs.length);
  });
});

describe('summaryLogFields', () => {
  const issues = (n: number, what: string): Issue[] => Array.from({ length: n }, (_, i) => ({ target: `${what}-${i}`, reason: 'r', stage: 'scrape', kind: 'timeout' }));
  const summary: CycleSummary = {
    clusters: ['prod'], targets: 80, scraped: 10, samples: 5, posted: 0, graphDefs: 1, hosts: 1, inventoriesWritten: 0, serviceMetrics: 0,
    skipped: issues(60, 's'), failed: issues(70, 'f'), failedBy: { 'scrape/timeout': 70 }, skippedBy: { 'scrape/timeout': 60 },
    byCluster: { prod: { targets: 80, scraped: 10, failed: 70, skipped: 60, samples: 5 } }, discoveryFailed: [], dropped: {}, retryQueue: 0, retryDropped: { cap: 0, age: 0 }, bytesScraped: 9, durationMs: 3, dryRun: true,
    wouldPost: { values: [{ hostId: 'h', name: 'custom.a.b.c', time: 1, value: 1 }], graphDefs: [], serviceMetrics: [], checkReports: [] },
  };

  it('caps the skipped and failed lists so one log line stays readable, and keeps their full counts', () => {
    const fields = summaryLogFields(summary, 50);
    expect(fields).toMatchObject({ skippedCount: 60, failedCount: 70, targets: 80 });
    expect(fields.skipped).toHaveLength(50);
    expect(fields.failed).toHaveLength(50);
  });

  it('leaves out the dry-run values', () => {
    expect(summaryLogFields(summary)).not.toHaveProperty('wouldPost');
  });
});
