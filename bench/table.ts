/** Plain-text tables of benchmark results: one per run (cold and warm side by side) and one summary. */
import { throttleFloor } from './awsLimits';
import type { CycleResult, RunResult } from './protocol';

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const ms = (n: number): string => int(n);
const mb = (n: number): string => n.toFixed(0);

/** Right-aligns every column but the first, which is left-aligned. */
export function renderRows(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[0] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ')).join('\n');
}

function awsActions(cycles: readonly CycleResult[]): string[] {
  return [...new Set(cycles.flatMap((c) => Object.keys(c.sim.aws)))].sort();
}

/** The per-run table: one row per measure, one column per cycle. */
export function runTable(r: RunResult): string {
  const { job, cycles } = r;
  const head = `${int(job.size)} tasks · ${int(r.instances)} instances · SCRAPE_CONCURRENCY ${job.concurrency} · simulator ${job.sim === 'same' ? 'in the child' : 'in the main process'}`;
  if (r.error !== undefined && cycles.length === 0) return `${head}\n  FAILED: ${r.error}`;
  const row = (name: string, f: (c: CycleResult) => string): string[] => [name, ...cycles.map(f)];
  const rows: string[][] = [
    ['', ...cycles.map((c) => c.label)],
    row('wall time (ms)', (c) => ms(c.wallMs)),
    row('  ListTasks pages', (c) => ms(c.phases.listTasksMs)),
    row('  describe + resolve', (c) => ms(c.phases.describeMs)),
    row('  Mackerel host lookups', (c) => ms(c.phases.hostsMs)),
    row('  scrape + parse', (c) => ms(c.phases.scrapeMs)),
    row('    of which parse CPU', (c) => ms(c.phases.parseCpuMs)),
    row('  POST tsdb', (c) => ms(c.phases.postValuesMs)),
    row('  POST graph-defs', (c) => ms(c.phases.postGraphDefsMs)),
    row('targets', (c) => int(c.targets)),
    row('targets/s', (c) => int(c.targets / (c.wallMs / 1000))),
    row('scraped ok / failed / skipped', (c) => `${int(c.scraped)} / ${int(c.failed)} / ${int(c.skipped)}`),
    row('samples', (c) => int(c.samples)),
    row('values posted (receiver)', (c) => `${int(c.posted)} (${int(c.sim.valuesReceived)})`),
    row('graph definitions posted', (c) => int(c.graphDefs)),
    row('Mackerel POST tsdb + graph-defs', (c) => `${int(c.sim.tsdbPosts)} + ${int(c.sim.graphDefPosts)}`),
    row('Mackerel GET hosts', (c) => int(c.sim.hostLookups)),
    row('Mackerel errors', (c) => int(c.sim.mackerelErrors)),
    ...awsActions(cycles).map((a) => row(`AWS ${a}`, (c) => int(c.sim.aws[a] ?? 0))),
    row('AWS throttle floor (ms)', (c) => ms(throttleFloor(c.sim.aws).ms)),
    row('bytes scraped (MiB)', (c) => (c.bytesScraped / 1024 / 1024).toFixed(1)),
    row('collector CPU (ms)', (c) => ms(c.cpuMs)),
    row('event-loop utilisation', (c) => c.elu.toFixed(2)),
    row('  during scrape', (c) => c.phases.scrapeElu.toFixed(2)),
    ...(cycles.some((c) => c.sim.simElu !== undefined) ? [row('  simulator process', (c) => c.sim.simElu?.toFixed(2) ?? '')] : []),
    row('RSS start → peak (MiB)', (c) => `${mb(c.rssStartMb)} → ${mb(c.rssPeakMb)}`),
    row('heap used at end (MiB)', (c) => mb(c.heapEndMb)),
  ];
  const notes = [
    ...cycles.filter((c) => throttleFloor(c.sim.aws).ms > 0).map((c) => `  ${c.label}: throttle floor set by ${throttleFloor(c.sim.aws).bucket} (see awsLimits.ts)`),
    ...[...new Set(cycles.flatMap((c) => c.failureSamples))].map((s) => `  e.g. ${s}`),
  ];
  const tail = [`  child max RSS over its life: ${mb(r.maxRssMb)} MiB`, ...notes, ...(r.error !== undefined ? [`  ERROR: ${r.error}`] : [])];
  return [head, renderRows(rows), ...tail].join('\n');
}

/** One line per run and cycle. */
export function summaryTable(results: readonly RunResult[]): string {
  const rows: string[][] = [['tasks', 'conc', 'cycle', 'wall ms', 'targets/s', 'failed', 'samples', 'POSTs', 'AWS calls', 'throttle floor ms', 'peak RSS MiB']];
  for (const r of results) {
    if (r.cycles.length === 0) rows.push([int(r.job.size), String(r.job.concurrency), 'FAILED', '', '', '', '', '', '', '', '']);
    for (const c of r.cycles) {
      const aws = Object.values(c.sim.aws).reduce((a, b) => a + b, 0);
      rows.push([
        int(r.job.size),
        String(r.job.concurrency),
        c.label,
        ms(c.wallMs),
        int(c.targets / (c.wallMs / 1000)),
        int(c.failed),
        int(c.samples),
        int(c.sim.tsdbPosts + c.sim.graphDefPosts),
        int(aws),
        ms(throttleFloor(c.sim.aws).ms),
        mb(c.rssPeakMb),
      ]);
    }
  }
  return renderRows(rows);
}
