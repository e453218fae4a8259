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

/**
 * Go type of each posted field in fukata/golang-stats-api-handler's `Stats` struct (handler.go, v1.0.0, the
 * version mackerel-agent-plugins' go.mod pins). `int` is 64-bit on the platforms the plugin ships for.
 */
type GoType = 'int' | 'int64' | 'uint64' | 'uint32' | 'float64';
const FIELD_TYPES: ReadonlyMap<string, GoType> = new Map<string, GoType>([
  ['goroutine_num', 'int'],
  ['cgo_call_num', 'int64'],
  ['memory_alloc', 'uint64'],
  ['memory_sys', 'uint64'],
  ['memory_stack', 'uint64'],
  ['memory_lookups', 'uint64'],
  ['memory_mallocs', 'uint64'],
  ['memory_frees', 'uint64'],
  ['heap_sys', 'uint64'],
  ['heap_idle', 'uint64'],
  ['heap_inuse', 'uint64'],
  ['heap_released', 'uint64'],
  ['gc_num', 'uint32'],
  ['gc_per_second', 'float64'],
  ['gc_pause_per_second', 'float64'],
]);

/**
 * Bounds checked on the parsed double: 2^63 and 2^64 are included because the largest valid literals
 * (9223372036854775807, 18446744073709551615) parse to them. Literals within one double step above a bound are
 * therefore accepted where Go's decoder would refuse them.
 */
const TWO_63 = 2 ** 63;
const RANGES: Readonly<Record<Exclude<GoType, 'float64'>, readonly [number, number]>> = {
  int: [-TWO_63, TWO_63],
  int64: [-TWO_63, TWO_63],
  uint64: [0, 2 ** 64],
  uint32: [0, 2 ** 32 - 1],
};

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function jsonType(v: unknown): string {
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return `a ${typeof v}`;
}

/** The value the plugin would post for a present, non-null field, or why the field cannot be posted. */
function checkField(raw: unknown, type: GoType): number | string {
  if (typeof raw !== 'number') return `is ${jsonType(raw)}, not a number`;
  if (type === 'float64') return Number.isFinite(raw) ? raw : 'is out of range (float64 in the handler)';
  if (!Number.isFinite(raw)) return `is out of range (${type} in the handler)`;
  if (!Number.isInteger(raw)) return `is not an integer (${type} in the handler)`;
  const [min, max] = RANGES[type];
  if (raw < min) return min === 0 ? `is negative (${type} in the handler)` : `is out of range (${type} in the handler)`;
  if (raw > max) return `is out of range (${type} in the handler)`;
  return raw;
}

/**
 * Go's encoding/json matches an object key to a struct field by exact name, else case-insensitively with Unicode
 * simple folding. The field names are lower-case ASCII, and the only non-ASCII runes that fold onto ASCII letters
 * are U+017F (ſ, onto s) and U+212A (Kelvin sign, onto k).
 */
function goFieldName(key: string): string | undefined {
  if (FIELD_TYPES.has(key)) return key;
  const folded = key.replace(/\u017F/g, 's').replace(/\u212A/g, 'k');
  // eslint-disable-next-line no-control-regex
  if (!/^[\x00-\x7F]*$/.test(folded)) return undefined;
  const lower = folded.toLowerCase();
  return FIELD_TYPES.has(lower) ? lower : undefined;
}

/** End (exclusive) of a leading JSON object, found by bracket depth outside strings; undefined when none closes. */
function leadingObjectEnd(body: string): number | undefined {
  let i = 0;
  while (i < body.length && ' \t\n\r'.includes(body.charAt(i))) i++;
  if (body.charAt(i) !== '{') return undefined;
  let depth = 0;
  for (; i < body.length; i++) {
    const c = body.charCodeAt(i);
    if (c === 0x22) {
      for (i++; i < body.length && body.charCodeAt(i) !== 0x22; i++) if (body.charCodeAt(i) === 0x5c) i++;
    } else if (c === 0x7b || c === 0x5b) {
      depth++;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return undefined;
}

/**
 * JSON.parse, except that data after a complete leading object is ignored: the plugin's json.Decoder reads one
 * value and never looks further. Throws JSON.parse's error for the whole body otherwise.
 */
function parseFirstValue(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch (e) {
    const end = leadingObjectEnd(body);
    if (end === undefined) throw e;
    try {
      return JSON.parse(body.slice(0, end));
    } catch {
      throw e;
    }
  }
}

/**
 * Parses a fukata/golang-stats-api-handler JSON body into the values mackerel-plugin-gostats posts for it.
 *
 * The plugin (mackerel-agent-plugins mackerel-plugin-gostats/lib/mackerel-plugin-gostats.go `parseStats`, run by
 * go-mackerel-plugin v0.1.6 `OutputValues`) decodes the body with json.Decoder into the handler's `Stats` struct
 * and posts 15 of its fields as float64. Any Decode error (not JSON, empty, not an object, a field of the wrong
 * JSON type or out of its Go type's range) makes the run print nothing and keep its old state file.
 *
 * What holds, for every body the plugin accepts:
 * - the same 15 values: keys match exactly, else case-insensitively (Go's rule); unknown keys are ignored; the
 *   last of repeated keys wins; a missing or null gauge is posted as 0 (Go leaves the field at its zero value);
 *   a negative `goroutine_num`/`cgo_call_num` (signed in Go) is posted as it is; data after the object is ignored;
 * - `gc_per_second` and `gc_pause_per_second` are the handler's own figures, passed through (neither the plugin
 *   nor this parser derives them from `gc_num`); the six counters are per-minute diffs (counters.ts):
 *   none on a target's first sample, 0 after a decrease.
 * Rejected as the plugin rejects them: not JSON, an empty body, JSON that is not an object.
 *
 * Where this parser differs on purpose:
 * 1. `null`, `{}` or an object none of whose 15 fields is a usable number is a ParseError; the plugin posts 0
 *    for all 15, which makes a wrong path or port look like an idle Go process.
 * 2. A missing or null counter is not posted and its baseline is kept (counted in `dropped`); the plugin diffs
 *    it as 0: 0 posted, then a spike of the whole counter value per minute when the field comes back.
 * 3. A field of the wrong type (a string such as "12" or "NaN", a boolean, object or array), a fraction or a
 *    negative number where the handler has an integer or unsigned type, or a number beyond the type's range:
 *    only that field is left out (counted in `dropped`, the reason names the field) and the rest is posted; the
 *    plugin posts nothing for the whole body. The 12 fields the plugin decodes but never posts (`time`,
 *    `go_version`, `gc_pause`, …) are not checked, although a wrong type there fails the plugin's run too.
 * 4. Integer-valued numbers written with a fraction or exponent (`1.0`, `1e3`) are taken as integers (Go refuses
 *    them for integer fields), and ranges are checked on the parsed double (see RANGES).
 * 5. Values are posted at full double precision; the plugin prints non-integers with `%f` (6 decimals).
 * 6. Counter timing (counters.ts): after a gap over 600 s no diff is posted (the plugin posts 0); a second scrape
 *    within the same second still posts the gauges (the plugin prints nothing at all).
 * 7. Exact duplicate keys collapse in JSON.parse (last value, first position), so with a case variant of the key
 *    between them the winner can differ from Go's; and a wrong-typed duplicate does not fail the field.
 */
export function parseGostats(body: string, ctx: ParseContext): Result<ParseOutput, ParseError> {
  let json: unknown;
  try {
    json = parseFirstValue(body);
  } catch (e) {
    return err(new ParseError(ctx.targetId, 'gostats', `not JSON: ${quote(body)}`, undefined, { cause: e }));
  }
  if (!isRecord(json)) {
    return err(new ParseError(ctx.targetId, 'gostats', `expected a JSON object, got ${quote(body)}`));
  }
  const fields = new Map<string, unknown>();
  for (const key of Object.keys(json)) {
    const name = goFieldName(key);
    if (name !== undefined) fields.set(name, json[key]);
  }
  const values = new Map<string, number | string | undefined>();
  let usable = 0;
  for (const [name, type] of FIELD_TYPES) {
    const raw = fields.get(name);
    const checked = raw === undefined || raw === null ? undefined : checkField(raw, type);
    if (typeof checked === 'number') usable++;
    values.set(name, checked);
  }
  if (usable === 0) {
    const bad = [...values].find(([, v]) => typeof v === 'string');
    const why = bad ? ` (${bad[0]} ${String(bad[1])})` : '';
    return err(new ParseError(ctx.targetId, 'gostats', `none of the 15 metric fields holds a usable number${why}: not a golang-stats-api-handler body`));
  }
  const drops = new DropTally();
  const samples: Sample[] = [];
  const time = Math.floor(ctx.now);
  for (const g of GOSTATS_GRAPHS) {
    for (const m of g.metrics) {
      const checked = values.get(m.name);
      if (typeof checked === 'string') {
        drops.add(`gostats field ${m.name} ${checked}`);
        continue;
      }
      if (!GOSTATS_DIFF_METRICS.has(m.name)) {
        samples.push({ graph: g.graph, metric: m.name, value: checked ?? 0, time });
        continue;
      }
      if (checked === undefined) {
        drops.add(`gostats counter ${m.name} missing or null (not posted as 0)`);
        continue;
      }
      const value = perMinuteDiff(ctx.counters, `${ctx.targetId}|gostats.${m.name}`, checked, ctx.now, drops);
      if (value !== undefined) samples.push({ graph: g.graph, metric: m.name, value, time });
    }
  }
  return ok({ samples, graphs: [...GOSTATS_GRAPHS], dropped: drops.list() });
}
