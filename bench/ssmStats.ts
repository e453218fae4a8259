/** Figures of one ssm-mode cycle, from what the recording proxy (ssmProxy.ts) saw, and their table. */
import type { SsmTrace } from './ssmProxy';
import { renderRows } from './table';

/** min / median / max of a list (0s when empty). */
export interface Spread {
  readonly min: number;
  readonly median: number;
  readonly max: number;
}

/** One cycle's SSM figures. Times in ms. */
export interface SsmCycleStats {
  readonly sendCommands: number;
  readonly getInvocations: number;
  /** GetCommandInvocation answers by Status, plus InvocationDoesNotExist. */
  readonly polls: Readonly<Record<string, number>>;
  readonly invocations: number;
  readonly finalStatuses: Readonly<Record<string, number>>;
  readonly truncated: number;
  /** StandardOutputContent characters per instance, overall and by the kind of endpoint the instance serves. */
  readonly outputChars: Spread;
  readonly outputCharsByKind: Readonly<Record<string, Spread>>;
  readonly outputTotalChars: number;
  /** From SendCommand answered to the script starting: invisibility, then waiting for one of maxRunning slots. */
  readonly queuedMs: Spread;
  /** The script's own run time (bash, 10 curls 8 at a time, gzip). */
  readonly scriptMs: Spread;
  /** From the script ending to the collector's poll seeing it: the poll back-off's share. */
  readonly pollLagMs: Spread;
  /** Most scripts running at the same moment (the simulator allows SsmControl.maxRunning). */
  readonly maxConcurrentScripts: number;
  /** First SendCommand answered to the last final status seen. */
  readonly spanMs: number;
}

export function spread(values: readonly number[]): Spread {
  const s = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return { min: 0, median: 0, max: 0 };
  return { min: s[0] ?? 0, median: s[Math.floor((s.length - 1) / 2)] ?? 0, max: s[s.length - 1] ?? 0 };
}

function tally(keys: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of keys) out[k] = (out[k] ?? 0) + 1;
  return out;
}

/** Most intervals overlapping at one instant. */
function maxOverlap(intervals: readonly (readonly [number, number])[]): number {
  const edges = intervals.flatMap(([a, b]) => [[a, 1] as const, [b, -1] as const]).sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  let now = 0;
  let most = 0;
  for (const [, d] of edges) most = Math.max(most, (now += d));
  return most;
}

/** Summarises a trace; `kindOf` names what an instance serves (the bench scenario gives each instance one kind). */
export function summariseTrace(trace: SsmTrace, kindOf: (instanceId: string) => string): SsmCycleStats {
  const done = trace.invocations.flatMap((i) => (i.final ? [{ ...i, final: i.final }] : []));
  const epoch = (t: number): number => trace.timeOrigin + t;
  const polls: Record<string, number> = {};
  for (const i of trace.invocations) for (const [k, n] of Object.entries(i.polls)) polls[k] = (polls[k] ?? 0) + n;
  const byKind = new Map<string, number[]>();
  for (const i of done) byKind.set(kindOf(i.instanceId), [...(byKind.get(kindOf(i.instanceId)) ?? []), i.final.stdoutChars]);
  const sent = trace.invocations.map((i) => i.sentAt);
  const seen = done.map((i) => i.final.seenAt);
  return {
    sendCommands: trace.sendCommands,
    getInvocations: trace.getInvocations,
    polls,
    invocations: trace.invocations.length,
    finalStatuses: tally(done.map((i) => i.final.status)),
    truncated: done.filter((i) => i.final.truncated).length,
    outputChars: spread(done.map((i) => i.final.stdoutChars)),
    outputCharsByKind: Object.fromEntries([...byKind].sort().map(([k, v]) => [k, spread(v)])),
    outputTotalChars: done.reduce((n, i) => n + i.final.stdoutChars, 0),
    queuedMs: spread(done.map((i) => i.final.scriptStart - epoch(i.sentAt))),
    scriptMs: spread(done.map((i) => i.final.scriptEnd - i.final.scriptStart)),
    pollLagMs: spread(done.map((i) => epoch(i.final.seenAt) - i.final.scriptEnd)),
    maxConcurrentScripts: maxOverlap(done.map((i) => [i.final.scriptStart, i.final.scriptEnd] as const)),
    spanMs: sent.length > 0 && seen.length > 0 ? Math.max(...seen) - Math.min(...sent) : 0,
  };
}

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const fmt = (s: Spread): string => `${int(s.min)} / ${int(s.median)} / ${int(s.max)}`;
const list = (r: Readonly<Record<string, number>>): string =>
  Object.entries(r)
    .sort()
    .map(([k, n]) => `${k} ${int(n)}`)
    .join(', ');

/** One row per figure, one column per cycle. */
export function ssmTable(cycles: readonly { label: string; stats: SsmCycleStats }[]): string {
  const row = (name: string, f: (s: SsmCycleStats) => string): string[] => [name, ...cycles.map((c) => f(c.stats))];
  const kinds = [...new Set(cycles.flatMap((c) => Object.keys(c.stats.outputCharsByKind)))];
  return renderRows([
    ['SSM (through the recording proxy)', ...cycles.map((c) => c.label)],
    row('SendCommand / GetCommandInvocation', (s) => `${int(s.sendCommands)} / ${int(s.getInvocations)}`),
    row('  polls by answer', (s) => list(s.polls)),
    row('invocations (final status)', (s) => `${int(s.invocations)} (${list(s.finalStatuses)})`),
    row('output chars/instance min/med/max', (s) => fmt(s.outputChars)),
    ...kinds.map((k) => row(`  ${k} instances`, (s) => (s.outputCharsByKind[k] ? fmt(s.outputCharsByKind[k]) : ''))),
    row('output chars, all instances', (s) => int(s.outputTotalChars)),
    row('outputs cut at 24,000', (s) => int(s.truncated)),
    row('queued before start ms min/med/max', (s) => fmt(s.queuedMs)),
    row('script run ms min/med/max', (s) => fmt(s.scriptMs)),
    row('poll lag ms min/med/max', (s) => fmt(s.pollLagMs)),
    row('scripts running at once (max)', (s) => int(s.maxConcurrentScripts)),
    row('first SendCommand → last result ms', (s) => int(s.spanMs)),
  ]);
}
