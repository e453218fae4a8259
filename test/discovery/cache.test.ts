import { LruCache } from '../../src/discovery/cache';
import { createDiscoveryCaches, INSTANCE_CACHE_TTL_MS } from '../../src/discovery/fetcher';

describe('LruCache', () => {
  it('evicts the least recently used entry when full, counting reads as use', () => {
    // Prepare
    const cache = new LruCache<string, number>({ maxEntries: 2 });
    cache.set('a', 1);
    cache.set('b', 2);
    cache.get('a');

    // Act
    cache.set('c', 3);

    // Assess
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([1, undefined, 3]);
    expect(cache.size).toBe(2);
  });

  it('forgets an entry once its time to live has passed', () => {
    // Prepare
    let now = 1_000;
    const cache = new LruCache<string, string>({ maxEntries: 10, ttlMs: 500, now: () => now });
    cache.set('ci', 'i-0aa11bb22cc33dd44');

    // Act
    now += 499;
    const fresh = cache.get('ci');
    now += 1;
    const stale = cache.get('ci');

    // Assess
    expect(fresh).toBe('i-0aa11bb22cc33dd44');
    expect(stale).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('refuses a size that is not a positive integer', () => {
    expect(() => new LruCache({ maxEntries: 0 })).toThrow(RangeError);
  });
});

describe('createDiscoveryCaches', () => {
  it('keeps task definitions for good but lets instances expire after ten minutes', () => {
    // Prepare
    let now = 0;
    const caches = createDiscoveryCaches({ now: () => now });
    const td = { arn: 'td', family: 'api', revision: 1, networkMode: 'bridge' as const, containers: [] };
    caches.taskDefinitions.set('td', td);
    caches.instances.set('i-0aa11bb22cc33dd44', { instanceId: 'i-0aa11bb22cc33dd44', privateIp: '127.0.1.10' });

    // Act
    now += INSTANCE_CACHE_TTL_MS;

    // Assess
    expect(caches.taskDefinitions.get('td')).toBe(td);
    expect(caches.instances.get('i-0aa11bb22cc33dd44')).toBeUndefined();
  });
});
