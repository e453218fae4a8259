/**
 * `npm run bench:memory`: memory and event-loop delay of the direct scrape + parse path on large bodies
 * (issue 8, item 2). This process serves the targets on loopback (one HTTP server per target, all answering
 * the same prepared Buffer); each scenario runs the collector side in a fresh child (memoryChild.ts) so that
 * its RSS is its own. Scenarios:
 *   - 200 targets × 4 MiB bodies with MAX_INFLIGHT_BYTES off (as before) and with the defaults
 *     (SCRAPE_CONCURRENCY 256, MAX_INFLIGHT_BYTES = 25% of AWS_LAMBDA_FUNCTION_MEMORY_SIZE=1024);
 *   - one 1,000,000-series body (about 21 MB, so MAX_BODY_BYTES is raised to 32 MiB for it, the one
 *     non-default) next to 50 small targets, with the one-go parse timed for comparison.
 * Options: --targets N (200), --body-mib N (4), --series N (1000000), --dense (bodies of series lines
 * rather than 2,000 series padded with HELP text: parse-bound), --only <substring of a scenario name>,
 * --cpu-prof DIR (a V8 CPU profile of each child), --timeout-ms N (SCRAPE_TIMEOUT_MS of the large-body runs, for
 * a machine whose loopback is too slow to move 800 MiB within the default 3 s), --inflight-mib N (MAX_INFLIGHT_BYTES
 * instead of its default), --max-old-space-mib N (the child's V8 heap limit, to play a Lambda of a given size).
 */
import { fork } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { MemoryJob, MemoryResult } from './memoryChild';

const MIB = 1024 * 1024;
const CHILD = path.join(__dirname, 'memoryChild.ts');

const { values: opts } = parseArgs({
  options: {
    targets: { type: 'string', default: '200' },
    'body-mib': { type: 'string', default: '4' },
    series: { type: 'string', default: '1000000' },
    dense: { type: 'boolean', default: false },
    only: { type: 'string' },
    'cpu-prof': { type: 'string' },
    'timeout-ms': { type: 'string' },
    'max-old-space-mib': { type: 'string' },
    'inflight-mib': { type: 'string' },
  },
});

/** 2,000 series (40 gauges × 50 labels, the per-target bound), then HELP lines up to `bytes`. */
function paddedBody(bytes: number): Buffer {
  const lines: string[] = [];
  for (let f = 0; f < 40; f++) {
    lines.push(`# TYPE app_family_${f}_bytes gauge`);
    for (let s = 0; s < 50; s++) lines.push(`app_family_${f}_bytes{shard="s${s}",zone="z${s % 3}"} ${f * 50 + s}`);
  }
  let text = `${lines.join('\n')}\n`;
  const help = `# HELP app_padding ${'p'.repeat(4000)}\n`;
  text += help.repeat(Math.floor((bytes - text.length) / help.length));
  return Buffer.from(text);
}

/** Series lines only, up to `bytes`: the parse-bound case. */
function denseBody(bytes: number): Buffer {
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes - 100; i++) {
    const line = `app_family_${i % 400}_bytes{pod="p${i}",zone="z${i % 3}"} ${i}`;
    lines.push(line);
    size += line.length + 1;
  }
  return Buffer.from(`${lines.join('\n')}\n`);
}

function seriesBody(series: number): Buffer {
  const lines = Array.from({ length: series }, (_, i) => `series{i="${i}"} ${i}`);
  return Buffer.from(`# TYPE series gauge\n${lines.join('\n')}\n`);
}

async function serve(bodies: readonly Buffer[]): Promise<{ ports: number[]; close: () => Promise<void> }> {
  const servers = await Promise.all(
    bodies.map(
      (body) =>
        new Promise<http.Server>((resolve) => {
          const server = http.createServer((_req, res) => {
            res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4', 'Content-Length': body.length });
            res.end(body);
          });
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  return {
    ports: servers.map((s) => (s.address() as AddressInfo).port),
    close: async () => {
      await Promise.all(servers.map((s) => new Promise<void>((r) => { s.closeAllConnections(); s.close(() => r()); })));
    },
  };
}

function runChild(job: MemoryJob): Promise<MemoryResult> {
  const prof = opts['cpu-prof'] === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${opts['cpu-prof']}`];
  const heap = opts['max-old-space-mib'] === undefined ? [] : [`--max-old-space-size=${opts['max-old-space-mib']}`];
  const child = fork(CHILD, [JSON.stringify(job)], { execArgv: ['--import', 'tsx', '--expose-gc', ...prof, ...heap], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    let result: MemoryResult | undefined;
    const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
    child.on('message', (m) => (result = (m as { result: MemoryResult }).result));
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (result) resolve(result);
      else reject(new Error(`${job.name}: child exited (${signal ?? `code ${code}`}) without a result`));
    });
  });
}

async function main(): Promise<void> {
  const targets = Number(opts.targets);
  const bodyBytes = Number(opts['body-mib']) * MIB - 4096;
  const large = opts.dense ? denseBody(bodyBytes) : paddedBody(bodyBytes);
  const timeout: Record<string, string> = opts['timeout-ms'] === undefined ? {} : { SCRAPE_TIMEOUT_MS: opts['timeout-ms'] };
  if (opts['inflight-mib'] !== undefined) timeout.MAX_INFLIGHT_BYTES = String(Number(opts['inflight-mib']) * MIB);
  const kind = `${targets} × ${(large.length / MIB).toFixed(1)} MiB${opts.dense ? ' dense' : ''}${opts['timeout-ms'] ? `, timeout ${opts['timeout-ms']} ms` : ''}`;
  const scenarios: { job: Omit<MemoryJob, 'ports'>; bodies: Buffer[] }[] = [
    { job: { name: `${kind}, MAX_INFLIGHT_BYTES off (before)`, env: timeout, budget: 'off' }, bodies: Array(targets).fill(large) },
    { job: { name: `${kind}, defaults`, env: timeout, budget: 'default' }, bodies: Array(targets).fill(large) },
    {
      job: { name: `${Number(opts.series).toLocaleString('en-US')} series + 50 small, defaults`, env: { MAX_BODY_BYTES: String(32 * MIB) }, budget: 'default', timeSyncParse: true },
      bodies: [seriesBody(Number(opts.series)), ...Array<Buffer>(50).fill(Buffer.from('# TYPE up gauge\nup 1\n'))],
    },
  ];
  const results: MemoryResult[] = [];
  for (const { job, bodies } of scenarios) {
    if (opts.only !== undefined && !job.name.includes(opts.only)) continue;
    const served = await serve(bodies);
    try {
      const r = await runChild({ ...job, ports: served.ports });
      results.push(r);
      console.log(`done: ${r.name}`);
    } catch (e) {
      // e.g. SIGABRT: V8 ran out of heap (--max-old-space-mib), as a Lambda function runs out of memory.
      console.log(`FAILED: ${(e as Error).message}`);
    } finally {
      await served.close();
    }
  }
  console.table(
    results.map((r) => ({
      scenario: r.name,
      'concurrency': r.concurrency,
      'MAX_INFLIGHT MiB': r.maxInflightMib,
      'RSS start → peak MiB': `${r.rssStartMib.toFixed(0)} → ${r.rssPeakMib.toFixed(0)}`,
      'heap total / used / external at peak MiB': `${r.heapTotalAtPeakMib.toFixed(0)} / ${r.heapAtPeakMib.toFixed(0)} / ${r.externalAtPeakMib.toFixed(0)}`,
      'loop delay max / p99 ms': `${r.loopDelayMaxMs.toFixed(0)} / ${r.loopDelayP99Ms.toFixed(0)}`,
      'GC max / total ms': `${r.gcMaxMs.toFixed(0)} / ${r.gcTotalMs.toFixed(0)}`,
      'one-go parse ms': r.syncParseMs === undefined ? '' : r.syncParseMs.toFixed(0),
      'wall s': (r.wallMs / 1000).toFixed(1),
      'scraped / targets': `${r.scraped} / ${r.targets}`,
      'MiB scraped': r.mibScraped.toFixed(0),
      values: r.values,
    })),
  );
  for (const r of results) for (const [reason, n] of Object.entries(r.failed)) console.log(`${r.name}: ${n} failed: ${reason}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
