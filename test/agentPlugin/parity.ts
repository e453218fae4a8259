import { execFileSync } from 'node:child_process';
import { metricName } from '../../src/mackerel/naming';
import { parseBody, type DropCount } from '../../src/parse';
import type { MetricFormat } from '../../src/types';
import { memoryCounters } from '../parse/memoryCounters';
import { startServer, type LoopbackServer } from '../scrape/loopbackServer';
import type { PluginLine } from './pluginHarness';

/** Every awk on this machine: instances run gawk (Amazon Linux), Debian-based images mawk. */
export function awks(): string[] {
  const found: string[] = [];
  for (const name of ['gawk', 'mawk']) {
    try {
      found.push(execFileSync('bash', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim());
    } catch {
      // not installed
    }
  }
  return found.length > 0 ? found : [execFileSync('bash', ['-c', 'command -v awk'], { encoding: 'utf8' }).trim()];
}

/** One posted value: what Mackerel receives for a name (without `custom.`). */
export interface Posted {
  readonly value: number;
  readonly time: number;
}

/** What the Lambda makes of one target over several scrapes: the last scrape's posts, or its ParseError. */
export interface LambdaResult {
  /** Name without `custom.` → value and time; names over the length limit are left out, as the pipeline does. */
  readonly posted: Record<string, Posted>;
  /** The last scrape's drops (reason → count). */
  readonly dropped: Readonly<Record<string, number>>;
  /** The ParseError message when the last body could not be used at all. */
  readonly error?: string;
}

/**
 * Parses the bodies of one target in order, as successive cycles at `times` (epoch seconds), with one counter
 * store, and names the last cycle's samples as the pipeline does. A body given as bytes is decoded as the
 * scrapers decode it (UTF-8, invalid bytes as U+FFFD).
 */
export function lambdaCycles(format: MetricFormat, prefix: string, key: string, bodies: readonly (string | Buffer)[], times: readonly number[]): LambdaResult {
  const counters = memoryCounters();
  let result: LambdaResult = { posted: {}, dropped: {} };
  bodies.forEach((raw, i) => {
    const body = typeof raw === 'string' ? raw : raw.toString('utf8');
    const parsed = parseBody(format, body, { targetId: key, now: times[i] ?? 0, counters });
    if (!parsed.ok) {
      result = { posted: {}, dropped: {}, error: parsed.error.message };
      return;
    }
    const posted: Record<string, Posted> = {};
    for (const s of parsed.value.samples) {
      const name = metricName(prefix, key, s);
      if (name.ok) posted[name.value.replace(/^custom\./, '')] = { value: s.value, time: s.time };
      else if (name.error.kind !== 'too-long') throw name.error;
    }
    result = { posted, dropped: dropCounts(parsed.value.dropped) };
  });
  return result;
}

function dropCounts(dropped: readonly DropCount[]): Record<string, number> {
  return Object.fromEntries(dropped.map((d) => [d.reason, d.count]));
}

/** The plugin's lines under `<prefix>.<key>.` as name → value and epoch. */
export function pluginPosts(lines: readonly PluginLine[], prefix: string, key: string): Record<string, Posted> {
  const head = `${prefix}.${key}.`;
  return Object.fromEntries(lines.filter((l) => l.name.startsWith(head)).map((l) => [l.name, { value: l.value, time: l.epoch }]));
}

/**
 * Names and times equal, values equal to 12 significant digits (the plugin prints %.15g, or %.17g where that
 * does not round-trip). Returns the differences, so a failure lists every name that differs.
 */
export function postDifferences(plugin: Readonly<Record<string, Posted>>, lambda: Readonly<Record<string, Posted>>): string[] {
  const out: string[] = [];
  for (const [name, want] of Object.entries(lambda)) {
    const got = plugin[name];
    if (got === undefined) out.push(`missing ${name} = ${want.value} @${want.time}`);
    else if (got.time !== want.time || !closeEnough(got.value, want.value)) out.push(`${name}: plugin ${got.value} @${got.time}, Lambda ${want.value} @${want.time}`);
  }
  for (const name of Object.keys(plugin)) if (!(name in lambda)) out.push(`extra ${name} = ${plugin[name]?.value}`);
  return out;
}

function closeEnough(a: number, b: number): boolean {
  return a === b || Math.abs(a - b) <= 1e-12 * Math.max(Math.abs(a), Math.abs(b));
}

/** A loopback server answering each path with its body (bytes as they are); 404 for any other path. */
export interface BodyServer {
  readonly server: LoopbackServer;
  /** Path → body; change it between runs. */
  readonly bodies: Map<string, string | Buffer>;
}

export async function startBodies(bodies: Map<string, string | Buffer> = new Map()): Promise<BodyServer> {
  const server = await startServer((req, res) => {
    const body = bodies.get(req.url ?? '');
    if (body === undefined) {
      res.statusCode = 404;
      res.end('not found');
      return;
    }
    res.setHeader('content-type', 'text/plain; version=0.0.4');
    res.end(body);
  });
  return { server, bodies };
}

/** The plugin's own awk programs, read by sourcing it (it runs main only when executed). */
export function pluginAwkPrograms(plugin: string): { common: string; prometheus: string } {
  const out = execFileSync('bash', ['-c', 'source "$1" && printf "%s\\0%s" "$AWK_COMMON" "$AWK_PROMETHEUS"', 'source', plugin], { encoding: 'utf8' });
  const [common = '', prometheus = ''] = out.split('\0');
  return { common, prometheus };
}
