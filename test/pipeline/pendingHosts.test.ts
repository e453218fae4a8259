import { MackerelError } from '../../src/mackerel/errors';
import { collect } from '../../src/pipeline/collect';
import type { HostLookup } from '../../src/pipeline/hosts';
import { err, ok } from '../../src/result';
import { fakeFetcher, fakeMackerel, fixtureConfig, INSTANCE_A, INSTANCE_B, NOW_MS, pipelineDeps } from './fakes';

const HOSTS: Record<string, string> = { [INSTANCE_A]: '3kHxYz12aBc', [INSTANCE_B]: '4mJq8Rt5wXy' };

/** Host lookups that fail with `status` while `down()` says so, then answer from HOSTS. */
function flakyHosts(down: () => boolean, status: number | undefined): HostLookup & { calls: number } {
  const lookup = {
    calls: 0,
    resolve: async (id: string) => {
      lookup.calls++;
      if (down()) return err(new MackerelError(`Mackerel GET /api/v0/hosts failed: ${status ?? 'network error'}`, { status, path: '/api/v0/hosts', attempts: 4 }));
      return ok(HOSTS[id]);
    },
  };
  return lookup;
}

describe('a cold container during a Mackerel outage', () => {
  it('scrapes its targets, keeps their values until the hosts resolve, then posts them on the right hosts', async () => {
    // Prepare
    let outage = true;
    const mackerel = fakeMackerel();
    const deps = pipelineDeps({ fetcher: fakeFetcher(), mackerel, hosts: flakyHosts(() => outage, undefined) });
    const config = fixtureConfig();

    // Act
    const during = await collect(config, deps);
    outage = false;
    const after = await collect(config, { ...deps, now: () => NOW_MS + 60_000 });

    // Assess
    expect(during.scraped).toBe(during.targets);
    expect(during.posted).toBe(0);
    expect(during.retryQueue).toBe(during.samples);
    expect(during.failed.filter((i) => i.reason.includes('scraped anyway'))).toHaveLength(during.targets);
    expect(after.posted).toBe(during.samples + after.samples);
    const sent = mackerel.batches.flat();
    expect(sent.some((v) => v.hostId.startsWith('pending:'))).toBe(false);
    const firstCycle = sent.filter((v) => v.time === NOW_MS / 1000);
    expect(firstCycle).toHaveLength(during.samples);
    expect(new Set(firstCycle.map((v) => v.hostId))).toEqual(new Set(Object.values(HOSTS)));
  });

  it('does not scrape around a lookup Mackerel refused outright (4xx): that is a failure, not an outage', async () => {
    // Prepare
    const deps = pipelineDeps({ fetcher: fakeFetcher(), mackerel: fakeMackerel(), hosts: flakyHosts(() => true, 400) });

    // Act
    const s = await collect(fixtureConfig(), deps);

    // Assess
    expect(s.scraped).toBe(0);
    expect(s.retryQueue).toBe(0);
    expect(s.failed.some((i) => i.reason.includes('scraped anyway'))).toBe(false);
  });

  it('with METRIC_KEY=slot, does not scrape a target whose host inventory cannot be read', async () => {
    // Prepare
    const deps = pipelineDeps({ fetcher: fakeFetcher(), mackerel: fakeMackerel(), hosts: flakyHosts(() => true, 503) });

    // Act
    const s = await collect(fixtureConfig({ METRIC_KEY: 'slot' }), deps);

    // Assess
    expect(s.scraped).toBe(0);
    const lookups = s.failed.filter((i) => i.reason.startsWith('Mackerel host lookup failed'));
    expect(lookups.map((i) => i.reason)).toEqual(Array(s.targets).fill(expect.stringContaining("METRIC_KEY=slot needs the host's inventory")));
  });
});
