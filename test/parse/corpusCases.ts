import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { isValidMetricName, metricName } from '../../src/mackerel/naming';
import type { DropCount, ParseOutput } from '../../src/parse';
import type { Sample } from '../../src/types';

/** test/fixtures/prometheus: real exporter bodies (README.md there) and the parser corpus (corpus/README.md). */
export const PROM_FIXTURES = path.join(__dirname, '..', 'fixtures', 'prometheus');
export const CORPUS_DIR = path.join(PROM_FIXTURES, 'corpus');

/** One corpus body and what its upstream parser said about it (corpus/cases.json). */
export interface CorpusCase {
  /** File name in corpus/. */
  readonly file: string;
  /** openmetrics | promparse | omparse | expfmt (corpus/README.md). */
  readonly source: string;
  /** The upstream parser accepted the whole body. */
  readonly shouldParse: boolean;
  /** For an accepted body: its sample lines (one series each). */
  readonly expectedSamples?: number;
  /** Upstream case name and, for a rejected body, upstream's error. */
  readonly note: string;
}

export function loadCorpus(): CorpusCase[] {
  return JSON.parse(readFileSync(path.join(CORPUS_DIR, 'cases.json'), 'utf8')) as CorpusCase[];
}

/** A body as the scrapers hand it to the parser: the bytes decoded as UTF-8 (invalid bytes become U+FFFD). */
export function readBody(file: string): string {
  return readFileSync(file).toString('utf8');
}

/**
 * Sample lines of a text exposition, counted independently of the parser: lines (split on `\n`, a trailing
 * `\r` ignored) that are neither blank (spaces and tabs only) nor comments (first non-blank character `#`).
 * In a body its upstream parser accepts, each is exactly one sample.
 */
export function countSampleLines(body: string): number {
  let n = 0;
  for (const raw of body.split('\n')) {
    const line = raw.replace(/\r$/, '').replace(/^[ \t]+/, '');
    if (line.replace(/[ \t]+$/, '') !== '' && !line.startsWith('#')) n++;
  }
  return n;
}

/** All drops of a parse, whatever the reason. */
export function droppedTotal(dropped: readonly DropCount[]): number {
  return dropped.reduce((sum, d) => sum + d.count, 0);
}

/** Prefix and key the golden names and the name checks use: the default prefix of format prometheus, a task key. */
export const NAME_PREFIX = 'prometheus';

/**
 * What is wrong with the names of posted samples, as the pipeline builds them (`custom.<prefix>.<key>.<graph>.<metric>`).
 * A name over the length limit is allowed: the pipeline drops and counts it (`metric name too long`). Any other
 * naming error, an invalid name, or a value Mackerel cannot take (NaN, ±Inf) is listed.
 */
export function nameProblems(samples: readonly Sample[], key: string): string[] {
  const problems: string[] = [];
  for (const s of samples) {
    const name = metricName(NAME_PREFIX, key, s);
    if (!name.ok) {
      if (name.error.kind !== 'too-long') problems.push(`${s.graph}.${s.metric}: ${name.error.message}`);
    } else if (!isValidMetricName(name.value)) problems.push(`${name.value}: not a valid Mackerel name`);
    if (!Number.isFinite(s.value)) problems.push(`${s.graph}.${s.metric}: value ${s.value}`);
  }
  return problems;
}

/** Posted names (the ones that fit), sorted: the golden files' content. */
export function postedNames(samples: readonly Sample[], key: string): string[] {
  const names: string[] = [];
  for (const s of samples) {
    const name = metricName(NAME_PREFIX, key, s);
    if (name.ok) names.push(name.value);
  }
  return names.sort();
}

/** How one parse in the worker ended. */
export type WorkerOutcome =
  | { readonly kind: 'parsed'; readonly value: ParseOutput }
  | { readonly kind: 'parse-error'; readonly message: string }
  | { readonly kind: 'threw'; readonly message: string }
  | { readonly kind: 'hung'; readonly afterMs: number };

// Runs in a worker thread: loads the parser through tsx (the worker is outside jest's transform) and parses each
// body it is sent with a fresh counter store.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
require(workerData.tsxApi).register();
const { parseBody } = require(workerData.parseModule);
parentPort.on('message', (m) => {
  const map = new Map();
  const counters = { get: (k) => map.get(k), set: (k, p) => void map.set(k, p) };
  try {
    const r = parseBody('prometheus', m.body, { targetId: m.targetId, now: m.now, counters });
    parentPort.postMessage(r.ok ? { id: m.id, kind: 'parsed', value: r.value } : { id: m.id, kind: 'parse-error', message: String(r.error.message) });
  } catch (e) {
    parentPort.postMessage({ id: m.id, kind: 'threw', message: String((e && e.stack) || e) });
  }
});
`;

/**
 * Parses Prometheus bodies in a worker thread, so a parse that never ends is reported (`hung`) instead of
 * blocking the test process: on a timeout the worker is terminated and the next parse starts a new one.
 */
export class ParseWorker {
  private worker: Worker | undefined;
  private nextId = 0;

  /** `parseModule`: a module exporting `parseBody` (src/parse/index.ts). */
  constructor(private readonly parseModule = path.join(__dirname, '..', '..', 'src', 'parse', 'index.ts')) {}

  private start(): Worker {
    const parseModule = this.parseModule;
    const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { parseModule, tsxApi: require.resolve('tsx/cjs/api') } });
    w.unref();
    return w;
  }

  parse(body: string, targetId: string, now: number, timeoutMs: number): Promise<WorkerOutcome> {
    const worker = (this.worker ??= this.start());
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const started = Date.now();
      const cleanup = () => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
      };
      const onMessage = (m: { id: number } & WorkerOutcome) => {
        if (m.id !== id) return;
        cleanup();
        const { id: _id, ...outcome } = m;
        resolve(outcome as WorkerOutcome);
      };
      const onError = (e: Error) => {
        cleanup();
        this.worker = undefined;
        // The worker died (e.g. the parser did not load): the first line is enough, tsx's stack is a page of code.
        reject(new Error(`parse worker failed: ${String(e.message).split('\n')[0]}`));
      };
      const timer = setTimeout(() => {
        cleanup();
        this.worker = undefined;
        void worker.terminate();
        resolve({ kind: 'hung', afterMs: Date.now() - started });
      }, timeoutMs);
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.postMessage({ id, body, targetId, now });
    });
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    if (w) await w.terminate();
  }
}
