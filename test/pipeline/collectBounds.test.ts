import { MackerelAuthError, MackerelError } from '../../src/mackerel/errors';
import { collect, summaryOfError } from '../../src/pipeline/collect';
import { GRAPH_DEFS_REFRESH_MS, COUNTER_MAX_IDLE_S, createCollectorState } from '../../src/pipeline/state';
import { MACKEREL_ACCEPT_WINDOW_S } from '../../src/pipeline/retryQueue';
import { fakeFetcher, fakeHosts, fakeMackerel, fixtureConfig, INSTANCE_A, INSTANCE_B, NOW_MS, pipelineDeps } from './fakes';

const HOSTS = { [INSTANCE_A]: '3kHxYz12aBc', [INSTANCE_B]: '4mJq8Rt5wXy' };
const NOW_S = NOW_MS / 1000;
const outage = () => new MackerelError('Mackerel POST /api/v0/tsdb failed: HTTP 503 (4 attempts)', { status: 503, path: '/api/v0/tsdb', attempts: 4 });

describe('what a cycle keeps bounded', () => {
  it('re-posts graph definitions after three hours, and not before', async () => {
    // Prepare
    const mackerel = fakeMackerel();
    const deps = pipelineDeps({ fetcher: fakeFetcher(), mackerel, hosts: fakeHosts(HOSTS) });
    const config = fixtureConfig();

    // Act
    await collect(config, deps);
    const first = mackerel.graphDefs.length;
    await collect(config, { ...deps, now: () => NOW_MS + GRAPH_DEFS_REFRESH_MS - 60_000 });
    const beforeDue = mackerel.graphDefs.length;
    await collect(config, { ...deps, now: () => NOW_MS + GRAPH_DEFS_REFRESH_MS });

    // Assess
    expect(first).toBeGreaterThan(0);
    expect(beforeDue).toBe(first);
    expect(mackerel.graphDefs.length).toBe(2 * first);
  });

  it('forgets counter baselines idle for an hour and keeps recent ones', async () => {
    // Prepare
    const deps = pipelineDeps({ fetcher: fakeFetcher(), mackerel: fakeMackerel(), hosts: fakeHosts(HOSTS) });
    deps.state.counters.set('prod/gone-task/app/requests', { value: 10, time: NOW_S - COUNTER_MAX_IDLE_S - 1 });
    deps.state.counters.set('prod/live-task/app/requests', { value: 10, time: NOW_S - 60 });

    // Act
    await collect(fixtureConfig(), deps);

    // Assess
    expect(deps.state.counters.get('prod/gone-task/app/requests')).toBeUndefined();
    expect(deps.state.counters.get('prod/live-task/app/requests')).toEqual({ value: 10, time: NOW_S - 60 });
  });

  it('reports values the retry queue dropped over its cap during an outage', async () => {
    // Prepare: a queue with room for about ten values, and Mackerel down.
    const mackerel = fakeMackerel();
    mackerel.failPosts.push(outage());
    const deps = { ...pipelineDeps({ fetcher: fakeFetcher(), mackerel, hosts: fakeHosts(HOSTS) }), state: createCollectorState({ retryQueueMaxBytes: 1500 }) };

    // Act
    const s = await collect(fixtureConfig(), deps);

    // Assess
    expect(s.samples).toBeGreaterThan(12);
    expect(s.retryDropped.cap).toBe(s.samples - s.retryQueue);
    expect(s.retryDropped.age).toBe(0);
    expect(deps.state.retryQueue.bytes).toBeLessThanOrEqual(1500);
  });

  it('reports queued values that fell out of Mackerel 24 h window instead of re-sending them', async () => {
    // Prepare
    const mackerel = fakeMackerel();
    const deps = pipelineDeps({ fetcher: fakeFetcher(), mackerel, hosts: fakeHosts(HOSTS) });
    deps.state.retryQueue.enqueue([
      { hostId: HOSTS[INSTANCE_A], name: 'custom.gostats.old.runtime.goroutine_num', time: NOW_S - MACKEREL_ACCEPT_WINDOW_S, value: 1 },
      { hostId: HOSTS[INSTANCE_A], name: 'custom.gostats.young.runtime.goroutine_num', time: NOW_S - 3600, value: 2 },
    ]);

    // Act
    const s = await collect(fixtureConfig(), deps);

    // Assess
    expect(s.retryDropped).toEqual({ cap: 0, age: 1 });
    const sent = mackerel.batches.flat().map((v) => v.name);
    expect(sent).toContain('custom.gostats.young.runtime.goroutine_num');
    expect(sent).not.toContain('custom.gostats.old.runtime.goroutine_num');
  });

  it('ends with a summary saying the deadline stopped it, instead of throwing', async () => {
    // Prepare
    const mackerel = fakeMackerel();
    const deps = pipelineDeps({ fetcher: fakeFetcher(), mackerel, hosts: fakeHosts(HOSTS) });
    const controller = new AbortController();
    controller.abort(new Error('the invocation deadline'));

    // Act
    const s = await collect(fixtureConfig(), deps, controller.signal);

    // Assess
    expect(s.aborted).toMatch(/^deadline: the invocation deadline/);
    expect(mackerel.batches).toEqual([]);
  });

  it('attaches the summary to a critical error, with the queue kept', async () => {
    // Prepare
    const mackerel = fakeMackerel();
    mackerel.failPosts.push(new MackerelAuthError('Mackerel POST /api/v0/tsdb rejected the API key: HTTP 401', { status: 401, path: '/api/v0/tsdb', attempts: 1 }));
    const deps = pipelineDeps({ fetcher: fakeFetcher(), mackerel, hosts: fakeHosts(HOSTS) });

    // Act
    const error = await collect(fixtureConfig(), deps).then(() => undefined, (e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(MackerelAuthError);
    const summary = summaryOfError(error);
    expect(summary?.aborted).toMatch(/rejected the API key/);
    expect(summary?.samples).toBeGreaterThan(0);
    expect(summary?.retryQueue).toBe(summary?.samples);
    expect(deps.state.retryQueue.length).toBe(summary?.samples);
  });
});
