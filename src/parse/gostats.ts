import { err, ok, type Result } from '../result';
import type { Sample } from '../types';
import { perMinuteDiff } from './counters';
import { DropTally } from './drops';
import { ParseError, quote } from './errors';
import type { GraphMeta, ParseContext, ParseOutput } from './types';

/**
 * mackerel-plugin-gostats' graphs with its default prefix `gostats` (mackerelio/mackerel-agent-plugins,
 * mackerel-plugin-gostats/lib/mackerel-plugin-gostats.go), recorded in reference/gostats-plugin-output.txt.
 */
export const GOSTATS_GRAPHS: readonly GraphMeta[] = [
  {
    graph: 'runtime',
    displayName: 'Gostats Runtime',
    unit: 'integer',
    metrics: [
      { name: 'goroutine_num', displayName: 'Goroutine Num' },
      { name: 'cgo_call_num', displayName: 'CGO Call Num' },
    ],
  },
  {
    graph: 'memory',
    displayName: 'Gostats Memory',
    unit: 'bytes',
    metrics: [
      { name: 'memory_alloc', displayName: 'Alloc' },
      { name: 'memory_sys', displayName: 'Sys' },
      { name: 'memory_stack', displayName: 'Stack In Use' },
    ],
  },
  {
    graph: 'operation',
    displayName: 'Gostats Operation',
    unit: 'integer',
    metrics: [
      { name: 'memory_lookups', displayName: 'Pointer Lookups' },
      { name: 'memory_mallocs', displayName: 'Mallocs' },
      { name: 'memory_frees', displayName: 'Frees' },
    ],
  },
  {
    graph: 'heap',
    displayName: 'Gostats Heap',
    unit: 'bytes',
    metrics: [
      { name: 'heap_sys', displayName: 'Sys' },
      { name: 'heap_idle', displayName: 'Idle' },
      { name: 'heap_inuse', displayName: 'In Use' },
      { name: 'heap_released', displayName: 'Released' },
    ],
  },
  {
    graph: 'gc',
    displayName: 'Gostats GC',
    unit: 'float',
    metrics: [
      { name: 'gc_num', displayName: 'GC Num' },
      { name: 'gc_per_second', displayName: 'GC Per Second' },
      { name: 'gc_pause_per_second', displayName: 'GC Pause Per Second' },
    ],
  },
];

/** The plugin's `Diff: true` metrics: cumulative counters posted as per-minute differences. */
export const GOSTATS_DIFF_METRICS: ReadonlySet<string> = new Set([
  'cgo_call_num',
  'memory_lookups',
  'memory_mallocs',
  'memory_frees',
  'heap_released',
  'gc_num',
]);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Parses a fukata/golang-stats-api-handler JSON body into the samples mackerel-plugin-gostats would print.
 * A body that is not a JSON object with a numeric `goroutine_num` is rejected; any other missing or
 * non-numeric field is only left out, as the plugin does.
 */
export function parseGostats(body: string, ctx: ParseContext): Result<ParseOutput, ParseError> {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (e) {
    return err(new ParseError(ctx.targetId, 'gostats', `not JSON: ${quote(body)}`, undefined, { cause: e }));
  }
  if (!isRecord(json)) {
    return err(new ParseError(ctx.targetId, 'gostats', `expected a JSON object, got ${quote(body)}`));
  }
  if (typeof json.goroutine_num !== 'number') {
    return err(new ParseError(ctx.targetId, 'gostats', 'no numeric "goroutine_num": not a golang-stats-api-handler body'));
  }
  const drops = new DropTally();
  const samples: Sample[] = [];
  const time = Math.floor(ctx.now);
  for (const g of GOSTATS_GRAPHS) {
    for (const m of g.metrics) {
      const raw = json[m.name];
      if (typeof raw !== 'number' || !Number.isFinite(raw)) continue;
      const value = GOSTATS_DIFF_METRICS.has(m.name)
        ? perMinuteDiff(ctx.counters, `${ctx.targetId}|gostats.${m.name}`, raw, ctx.now, drops)
        : raw;
      if (value !== undefined) samples.push({ graph: g.graph, metric: m.name, value, time });
    }
  }
  return ok({ samples, graphs: [...GOSTATS_GRAPHS], dropped: drops.list() });
}
