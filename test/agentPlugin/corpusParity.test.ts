import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CORPUS_DIR, loadCorpus } from '../parse/corpusCases';
import { awks, lambdaCycles, pluginAwkPrograms, postDifferences, type Posted } from './parity';
import { PLUGIN } from './pluginHarness';

/**
 * The plugin's Prometheus reader against the Lambda on every body of the parser corpus
 * (test/fixtures/prometheus/corpus: upstream parser test data, accepted and rejected, some with NUL bytes or
 * invalid UTF-8) and on bodies of random bytes in label values and quoted label names.
 *
 * The plugin's own awk programs are run on each body (read from the plugin by sourcing it) with the parameters
 * the plugin passes: a full plugin run per body (docker, curl, a dozen forks) would take minutes for ~400
 * bodies. bodiesParity.test.ts runs the whole plugin on real and edge-case bodies.
 */

/** A deterministic generator (an LCG), so a failure can be reproduced. */
function lcg(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

/**
 * Lines whose label values (and some quoted label names) are random bytes from a pool of UTF-8 edge cases: lead
 * bytes of every length, truncated sequences, overlong leads (C0, C1), surrogates (ED A0), U+E000-U+FFFF leads
 * (EE, EF), bytes that never occur in UTF-8, NUL and other control characters.
 */
function randomBytesBody(seed: number): Buffer {
  const rnd = lcg(seed);
  const pool = [0x00, 0x01, 0x08, 0x09, 0x0c, 0x0d, 0x1f, 0x20, 0x2d, 0x2e, 0x41, 0x5f, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1, 0xec, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xf7, 0xf8, 0xff];
  const pick = (): number => pool[Math.floor(rnd() * pool.length)] ?? 0x41;
  const lines: Buffer[] = [];
  for (let i = 0; i < 300; i++) {
    const value = Array.from({ length: 1 + Math.floor(rnd() * 8) }, pick);
    const quotedName = Array.from({ length: 1 + Math.floor(rnd() * 4) }, pick).filter((b) => b !== 0x0d);
    const name = rnd() < 0.3 ? Buffer.from([0x22, ...quotedName, 0x22]) : Buffer.from(`l${i % 3}`);
    lines.push(Buffer.concat([Buffer.from(`f${i % 9}{`), name, Buffer.from('="'), Buffer.from(value), Buffer.from(`",z="${i}"} ${i}\n`)]));
  }
  return Buffer.concat(lines);
}

interface Case {
  readonly name: string;
  readonly body: Buffer;
}

const CASES: readonly Case[] = [
  ...loadCorpus().map((c) => ({ name: c.file, body: readFileSync(path.join(CORPUS_DIR, c.file)) })),
  ...[1, 2, 3].map((seed) => ({ name: `random bytes, seed ${seed}`, body: randomBytesBody(seed) })),
];

const PREFIX = 'prometheus';
const KEY = 'corpus-0a0b0c0d';
/** Two scrapes a minute apart; every timestamp in the corpus is years older, so outside Mackerel's window. */
const T1 = 1796475563;
const T2 = T1 + 60;
const PROGRAMS = pluginAwkPrograms(PLUGIN);

interface AwkRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** One scrape as collect_target runs it: the same awk program and parameters, the body as a file. */
function runAwk(awk: string, dir: string, now: number, env: Readonly<Record<string, string>>): Promise<AwkRun> {
  const args = [
    ...['-v', 'mode=', '-v', `prefix=${PREFIX}`, '-v', `key=${KEY}`, '-v', `now=${now}`],
    ...['-v', `statefile=${path.join(dir, 'state')}`, '-v', `newstate=${path.join(dir, 'state.new')}`, '-v', 'hasher=sha256sum'],
    ...['-v', 'maxfamily=50', '-v', 'maxtarget=2000', PROGRAMS.common + PROGRAMS.prometheus, path.join(dir, 'body')],
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(awk, args, { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C', HASHDIR: path.join(dir, 'hash'), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
  });
}

/** What the plugin did with one body: its last run's posts (name → value, epoch), exit code and stderr. */
interface PluginResult {
  readonly posted: Record<string, Posted>;
  readonly code: number | null;
  readonly stderr: string;
  /** Whether a second run was needed (the first set counter baselines). */
  readonly cycles: 1 | 2;
}

/** The first scrape; a second one a minute later only when the first left counter baselines to rate against. */
async function pluginScrapes(awk: string, root: string, i: number, body: Buffer): Promise<PluginResult> {
  const dir = path.join(root, String(i));
  await mkdir(path.join(dir, 'hash'), { recursive: true });
  await writeFile(path.join(dir, 'body'), body);
  const promote = async (): Promise<boolean> => {
    const next = path.join(dir, 'state.new');
    const size = (await stat(next).catch(() => undefined))?.size ?? 0;
    if (size > 0) await writeFile(path.join(dir, 'state'), await readFile(next));
    await rm(next, { force: true });
    return size > 0;
  };
  let run = await runAwk(awk, dir, T1, {});
  let cycles: 1 | 2 = 1;
  if (run.code === 0 && (await promote())) {
    await rm(path.join(dir, 'hash'), { recursive: true });
    await mkdir(path.join(dir, 'hash'));
    run = await runAwk(awk, dir, T2, {});
    cycles = 2;
  }
  const posted: Record<string, Posted> = {};
  for (const line of run.stdout.split('\n')) {
    if (line === '') continue;
    const [name = '', value = '', epoch = ''] = line.split('\t');
    posted[name] = { value: Number(value), time: Number(epoch) };
  }
  return { posted, code: run.code, stderr: run.stderr, cycles };
}

/** Runs `fn` over the items, `limit` at a time. */
async function pool<T, R>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < items.length; i = next++) results[i] = await fn(items[i] as T, i);
  };
  await Promise.all(Array.from({ length: limit }, worker));
  return results;
}

let root: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'ecs-tasks-corpus-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe.each(awks())("the plugin's Prometheus reader and the Lambda on the parser corpus, with %s", (awk) => {
  it(`posts what the Lambda posts for each of ${CASES.length} bodies, and fails the bodies the Lambda fails`, async () => {
    // Act
    const plugin = await pool(CASES, 4, (c, i) => pluginScrapes(awk, root, i, c.body));
    // Assess
    const differences: string[] = [];
    let failed = 0;
    let posted = 0;
    let rated = 0;
    CASES.forEach((c, i) => {
      const mine = plugin[i];
      if (mine === undefined) throw new Error(`no run for ${c.name}`);
      const bodies = mine.cycles === 2 ? [c.body, c.body] : [c.body];
      const lambda = lambdaCycles('prometheus', PREFIX, KEY, bodies, [T1, T2]);
      if (lambda.error !== undefined) {
        failed++;
        if (mine.code !== 2 || Object.keys(mine.posted).length > 0 || mine.stderr === '') differences.push(`${c.name}: the Lambda fails it (${lambda.error}); plugin exit ${mine.code}, ${Object.keys(mine.posted).length} lines`);
        return;
      }
      if (mine.code !== 0) differences.push(`${c.name}: plugin exit ${mine.code}: ${mine.stderr}`);
      posted += Object.keys(lambda.posted).length;
      if (mine.cycles === 2) rated++;
      for (const d of postDifferences(mine.posted, lambda.posted)) differences.push(`${c.name}: ${d}`);
      const unparsable = lambda.dropped['unparsable line'] ?? 0;
      const noted = Number(/^(\d+) unparsable line\(s\) skipped/m.exec(mine.stderr)?.[1] ?? 0);
      if (noted !== unparsable) differences.push(`${c.name}: ${unparsable} unparsable lines in the Lambda, the plugin says ${JSON.stringify(mine.stderr)}`);
    });
    expect(differences).toEqual([]);
    // The corpus is exercised: many bodies fail, the others post, some with counters over two scrapes.
    expect(failed).toBeGreaterThan(100);
    expect(posted).toBeGreaterThan(500);
    expect(rated).toBeGreaterThan(10);
  });
});
