import path from 'node:path';
import { CORPUS_DIR, countSampleLines, droppedTotal, loadCorpus, nameProblems, ParseWorker, readBody, type WorkerOutcome } from './corpusCases';

/**
 * The parser against upstream parser test data (test/fixtures/prometheus/corpus/README.md): the OpenMetrics
 * test suite, Prometheus' promparse/openmetricsparse tests and prometheus/common's expfmt text parser tests.
 * Each body is parsed in a worker thread with a deadline, so a parse that never ends fails its case instead of
 * stalling the run.
 */

const TARGET = 'c1/3f2a9c1e/corpus:9100';
const KEY = 'corpus-3f2a9c1e';
const NOW = 1767225600;
/** Generous: the largest corpus body (2,332 lines) parses in a few milliseconds. */
const PARSE_DEADLINE_MS = 10_000;

const cases = loadCorpus();
const worker = new ParseWorker();
afterAll(() => worker.close());

async function parseCase(file: string): Promise<WorkerOutcome> {
  return worker.parse(readBody(path.join(CORPUS_DIR, file)), TARGET, NOW, PARSE_DEADLINE_MS);
}

/** A readable one-line account of an outcome, for failure messages. */
function describeOutcome(o: WorkerOutcome): string {
  switch (o.kind) {
    case 'parsed':
      return `parsed: ${o.value.samples.length} posted, dropped ${JSON.stringify(o.value.dropped)}`;
    case 'parse-error':
      return `ParseError: ${o.message}`;
    case 'threw':
      return `threw: ${o.message}`;
    case 'hung':
      return `no result after ${o.afterMs} ms`;
  }
}

describe('parser corpus', () => {
  it('has every kind of case', () => {
    const sources = new Set(cases.map((c) => c.source));
    expect([...sources].sort()).toEqual(['expfmt', 'omparse', 'openmetrics', 'promparse']);
    expect(cases.filter((c) => c.shouldParse).length).toBeGreaterThan(50);
    expect(cases.filter((c) => !c.shouldParse).length).toBeGreaterThan(250);
    // The stored counts are the same independent line count the tests use.
    for (const c of cases.filter((x) => x.shouldParse)) {
      expect({ file: c.file, samples: countSampleLines(readBody(path.join(CORPUS_DIR, c.file))) }).toEqual({ file: c.file, samples: c.expectedSamples });
    }
  });

  describe('bodies the upstream parser accepts: parsed, and every sample line posted or counted as dropped', () => {
    it.each(cases.filter((c) => c.shouldParse).map((c) => [c.file, c] as const))('%s', async (_file, c) => {
      // Act
      const outcome = await parseCase(c.file);
      // Assess
      expect({ note: c.note, outcome: outcome.kind === 'parsed' ? 'parsed' : describeOutcome(outcome) }).toEqual({ note: c.note, outcome: 'parsed' });
      if (outcome.kind !== 'parsed') return;
      expect(nameProblems(outcome.value.samples, KEY)).toEqual([]);
      expect({ note: c.note, accounted: outcome.value.samples.length + droppedTotal(outcome.value.dropped), detail: describeOutcome(outcome) }).toEqual({
        note: c.note,
        accounted: c.expectedSamples,
        detail: describeOutcome(outcome),
      });
    });
  });

  describe('bodies the upstream parser rejects: no throw, no hang, only valid names posted', () => {
    it.each(cases.filter((c) => !c.shouldParse).map((c) => [c.file, c] as const))('%s', async (_file, c) => {
      // Act
      const outcome = await parseCase(c.file);
      // Assess: a ParseError is allowed (a body that cannot be used at all); a throw or a hang is not.
      expect({ note: c.note, outcome: outcome.kind === 'threw' || outcome.kind === 'hung' ? describeOutcome(outcome) : 'returned' }).toEqual({
        note: c.note,
        outcome: 'returned',
      });
      if (outcome.kind === 'parsed') expect(nameProblems(outcome.value.samples, KEY)).toEqual([]);
    });
  });
});
