import { createMemoryInventoryStore } from '../../src/pipeline/inventorySync';
/**
 * In-memory ports for driving src/pipeline/collect without sockets: the fixture cluster behind
 * aws-sdk-client-mock (test/discovery/fakeCluster.ts), a fetcher serving a body per format, and a Mackerel
 * port that records what it was sent and fails on demand.
 */
import { loadConfig, type Config } from '../../src/config/config';
import { createDiscoveryCaches } from '../../src/discovery/fetcher';
import type { LogFields, Logger } from '../../src/log';
import type { MackerelPort } from '../../src/mackerel/client';
import type { MackerelFailure } from '../../src/mackerel/errors';
import type { CollectorDeps } from '../../src/pipeline/collect';
import type { HostLookup } from '../../src/pipeline/hosts';
import { createCollectorState } from '../../src/pipeline/state';
import { err, ok, type Result } from '../../src/result';
import type { BodyFetcher } from '../../src/scrape/bodyFetcher';
import { ScrapeError } from '../../src/scrape/errors';
import type { GraphDef, MetricFormat, MetricValue, Target } from '../../src/types';
import { fakeCluster } from '../discovery/fakeCluster';

/** Instances of the fixture cluster (test/fixtures/ecs/describe-instances.json). */
export const INSTANCE_A = 'i-0aa11bb22cc33dd44';
export const INSTANCE_B = 'i-0bb22cc33dd44ee55';
/** Fixed clock: 2026-01-01T00:00:00Z. */
export const NOW_MS = 1_767_225_600_000;

/** A valid body per format; gostats with the plugin's gauges only, so the first cycle posts them all. */
export const BODIES: Record<MetricFormat, string> = {
  gostats: '{"goroutine_num":12,"memory_alloc":1000,"memory_sys":2000,"memory_stack":300,"heap_sys":4000,"heap_idle":500,"heap_inuse":3500}',
  prometheus: '# TYPE up gauge\nup 1\n',
  plugin: `jobs.depth\t7\t${NOW_MS / 1000}\n`,
};

/** The fixture's configuration: one cluster, loopback allowed. */
export function fixtureConfig(extra: Record<string, string> = {}): Config {
  const parsed = loadConfig({ ECS_CLUSTERS: 'prod', MACKEREL_API_KEY: 'fake-key', ALLOWED_CIDRS: '127.0.0.0/8', ...extra });
  if (!parsed.ok) throw parsed.error;
  return parsed.value;
}

/** A fetcher that answers from BODIES and fails the targets whose id is in `failing`. */
export function fakeFetcher(failing: ReadonlySet<string> = new Set()): BodyFetcher & { fetched: string[] } {
  const fetched: string[] = [];
  return {
    fetched,
    async fetchEach(targets: readonly Target[], onResult) {
      for (const t of targets) {
        fetched.push(t.id);
        if (failing.has(t.id)) await onResult(t, err(new ScrapeError(t.id, 'refused', `connection refused (${t.address}:${t.port})`)));
        else await onResult(t, ok({ body: BODIES[t.format], bytes: BODIES[t.format].length, status: 200, durationMs: 1 }));
      }
    },
    close: () => undefined,
  };
}

/** What the fake Mackerel port was sent; `failPosts` holds the outcome of the next postMetrics calls. */
export interface FakeMackerel extends MackerelPort {
  readonly batches: MetricValue[][];
  readonly graphDefs: GraphDef[];
  readonly failPosts: MackerelFailure[];
}

export function fakeMackerel(): FakeMackerel {
  const batches: MetricValue[][] = [];
  const graphDefs: GraphDef[] = [];
  const failPosts: MackerelFailure[] = [];
  return {
    batches,
    graphDefs,
    failPosts,
    findHostIdByCustomIdentifier: async () => ok(undefined),
    postMetrics: async (values) => {
      const failure = failPosts.shift();
      if (failure) return err(failure);
      batches.push([...values]);
      return ok(undefined);
    },
    postGraphDefs: async (defs) => {
      graphDefs.push(...defs);
      return ok(undefined);
    },
  };
}

/** Host lookups from a table: a string is the host id, undefined = no such host, an error = lookup failed. */
export function fakeHosts(table: Record<string, string | undefined | MackerelFailure>): HostLookup {
  return {
    resolve: async (id): Promise<Result<string | undefined, MackerelFailure>> => {
      const entry = table[id];
      return typeof entry === 'object' ? err(entry) : ok(entry);
    },
  };
}

/** A logger keeping its lines as data. */
export function memoryLogger(): Logger & { lines: { level: string; message: string; fields?: LogFields }[] } {
  const lines: { level: string; message: string; fields?: LogFields }[] = [];
  const at = (level: string) => (message: string, fields?: LogFields) => void lines.push({ level, message, fields });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** Everything collect() needs, over the fixture cluster and the fakes. */
export function pipelineDeps(parts: { fetcher: BodyFetcher; mackerel?: MackerelPort; hosts?: HostLookup }): CollectorDeps {
  const cluster = fakeCluster();
  return {
    ecs: cluster.ecs,
    ec2: cluster.ec2,
    mackerel: parts.mackerel,
    hosts: parts.hosts,
    fetcher: parts.fetcher,
    inventory: createMemoryInventoryStore(),
    caches: createDiscoveryCaches(),
    state: createCollectorState(),
    logger: memoryLogger(),
    now: () => NOW_MS,
  };
}
