/**
 * One memory-benchmark run in a fresh process (forked by memory.bench.ts, which serves the targets): the real
 * direct fetcher (createHttpScraper + createDirectFetcher) and the pipeline's parse + name step (gather) over
 * every target once, with the configuration's defaults unless the job overrides them. Reports peak RSS
 * (sampled every 50 ms), the event loop's worst delay (monitorEventLoopDelay) and what the run produced.
 */
import { monitorEventLoopDelay, performance, PerformanceObserver } from 'node:perf_hooks';
import { loadConfig } from '../src/config/config';
import { silentLogger } from '../src/log';
import { parseBody } from '../src/parse';
import { gather, type PlacedTarget } from '../src/pipeline/gather';
import { createCounterStore } from '../src/pipeline/state';
import { createDirectFetcher } from '../src/scrape/bodyFetcher';
import { createHttpScraper } from '../src/scrape/httpScraper';
import type { Target } from '../src/types';

/** What the parent asks for. */
export interface MemoryJob {
  readonly name: string;
  readonly ports: readonly number[];
  /** Extra environment for loadConfig (e.g. MAX_BODY_BYTES for the 1,000,000-series body). */
  readonly env: Readonly<Record<string, string>>;
  /** `off`: no MAX_INFLIGHT_BYTES at all (how it was before). */
  readonly budget: 'default' | 'off';
  /** Also time the one-go parse (parseBody) of the first target's body: how long it blocks the loop. */
  readonly timeSyncParse?: boolean;
}

/** What the child reports. */
export interface MemoryResult {
  readonly name: string;
  readonly targets: number;
  readonly concurrency: number;
  readonly maxInflightMib: number | 'off';
  readonly rssStartMib: number;
  readonly rssPeakMib: number;
  /** V8 heap committed and in use, and memory outside it (Buffers), in the sample with the highest RSS. */
  readonly heapTotalAtPeakMib: number;
  readonly heapAtPeakMib: number;
  readonly externalAtPeakMib: number;
  readonly loopDelayMaxMs: number;
  readonly loopDelayP99Ms: number;
  /** Longest single garbage collection pause, and all of them together. */
  readonly gcMaxMs: number;
  readonly gcTotalMs: number;
  readonly wallMs: number;
  readonly scraped: number;
  readonly failed: Readonly<Record<string, number>>;
  readonly values: number;
  readonly mibScraped: number;
  readonly syncParseMs?: number;
}

const MIB = 1024 * 1024;
const RSS_SAMPLE_MS = 50;

function target(port: number, i: number): PlacedTarget {
  const taskId = `${i.toString(16).padStart(8, '0')}5b7d4e6f8a9b0c1d2e3f4a5b`;
  const t: Target = {
    id: `bench/${taskId}/app:8080`,
    cluster: 'bench',
    service: 'svc',
    family: 'svc',
    revision: 1,
    taskId,
    taskArn: `arn:aws:ecs:us-east-1:111122223333:task/bench/${taskId}`,
    containerName: 'app',
    launchType: 'EC2',
    networkMode: 'bridge',
    ec2InstanceId: 'i-0a510000000000001',
    address: '127.0.0.1',
    port,
    containerPort: 8080,
    path: '/metrics',
    format: 'prometheus',
    prefix: 'prometheus',
  };
  return { target: t, hostId: 'benchhost', key: `svc-${taskId.slice(0, 8)}` };
}

async function run(job: MemoryJob): Promise<MemoryResult> {
  const env = { ECS_CLUSTERS: 'bench', DRY_RUN: 'true', ALLOWED_CIDRS: '127.0.0.0/8', AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024', ...job.env };
  const loaded = loadConfig(env);
  if (!loaded.ok) throw loaded.error;
  const config = loaded.value;
  const scraper = createHttpScraper({ timeoutMs: config.scrapeTimeoutMs, maxBodyBytes: config.maxBodyBytes, allowedCidrs: config.allowedCidrs });
  // The call src/runtime.ts makes once it passes the budget on.
  const fetcher = createDirectFetcher(scraper, config.scrapeConcurrency, job.budget === 'off' ? {} : { maxInflightBytes: config.maxInflightBytes });
  const placed = job.ports.map(target);

  (globalThis as { gc?: () => void }).gc?.();
  const rssStart = process.memoryUsage.rss();
  let peak = process.memoryUsage();
  const sample = (): void => {
    const m = process.memoryUsage();
    if (m.rss > peak.rss) peak = m;
  };
  const sampler = setInterval(sample, RSS_SAMPLE_MS);
  let gcMaxMs = 0;
  let gcTotalMs = 0;
  const gcs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gcMaxMs = Math.max(gcMaxMs, e.duration);
      gcTotalMs += e.duration;
    }
  });
  gcs.observe({ entryTypes: ['gc'] });
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const started = performance.now();
  const got = await gather(placed, { fetcher, counters: createCounterStore(), logger: silentLogger }, Math.floor(Date.now() / 1000));
  const wallMs = performance.now() - started;
  delay.disable();
  gcs.disconnect();
  clearInterval(sampler);
  sample();

  const failed: Record<string, number> = {};
  for (const f of got.failed) {
    const reason = f.reason.replace(/\(127\.0\.0\.1:\d+\)/, '(…)');
    failed[reason] = (failed[reason] ?? 0) + 1;
  }
  let syncParseMs: number | undefined;
  if (job.timeSyncParse) {
    const res = await fetch(`http://127.0.0.1:${job.ports[0]}/metrics`);
    const body = await res.text();
    const t0 = performance.now();
    parseBody('prometheus', body, { targetId: 'sync', now: Math.floor(Date.now() / 1000), counters: createCounterStore() });
    syncParseMs = performance.now() - t0;
  }
  fetcher.close();
  return {
    name: job.name,
    targets: placed.length,
    concurrency: config.scrapeConcurrency,
    maxInflightMib: job.budget === 'off' ? 'off' : config.maxInflightBytes / MIB,
    rssStartMib: rssStart / MIB,
    rssPeakMib: peak.rss / MIB,
    heapTotalAtPeakMib: peak.heapTotal / MIB,
    heapAtPeakMib: peak.heapUsed / MIB,
    externalAtPeakMib: peak.external / MIB,
    loopDelayMaxMs: delay.max / 1e6,
    loopDelayP99Ms: delay.percentile(99) / 1e6,
    gcMaxMs,
    gcTotalMs,
    wallMs,
    scraped: got.scraped,
    failed,
    values: got.values.length,
    mibScraped: got.bytesScraped / MIB,
    syncParseMs,
  };
}

const job = JSON.parse(process.argv[2] ?? '{}') as MemoryJob;
run(job)
  .then((result) => process.send?.({ result }, undefined, {}, () => process.exit(0)))
  .catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
