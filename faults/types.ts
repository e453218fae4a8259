/** The shapes every fault scenario shares: one table row, the checks behind its verdict, the scenario itself. */

/** One expectation of a scenario, taken from issue 8; the verdict is FAIL when any fails. */
export interface Check {
  readonly what: string;
  readonly ok: boolean;
  readonly detail?: string;
}

/** `needs-durable-state`: the loss is the cold start's, and goes away only with the durable state store. */
export type Verdict = 'pass' | 'FAIL' | 'needs-durable-state';

/** One line of the table. Counts are undefined where a scenario posts no values (events, discovery). */
export interface Row {
  readonly fault: string;
  readonly produced?: number;
  readonly accepted?: number;
  readonly lost?: number;
  readonly duplicated?: number;
  readonly peakRssMiB: number;
  /** The slowest cycle's wall time. */
  readonly cycleMs: number;
  readonly verdict: Verdict;
  readonly checks: readonly Check[];
  readonly note?: string;
}

/** `quick`: fewer cycles, for `npm test`; the runner uses the full numbers. */
export interface RunOptions {
  readonly quick?: boolean;
}

/** A fault scenario: starts what it needs on loopback, runs, stops everything, returns its row. */
export interface Scenario {
  readonly name: string;
  run(opts?: RunOptions): Promise<Row>;
}

/** FAIL when a check failed; else `durable` when the scenario says its loss needs the state store, else pass. */
export function verdictOf(checks: readonly Check[], durable = false): Verdict {
  if (checks.some((c) => !c.ok)) return durable ? 'needs-durable-state' : 'FAIL';
  return 'pass';
}

/** A check with its detail. */
export const check = (what: string, ok: boolean, detail?: string): Check => ({ what, ok, ...(detail !== undefined ? { detail } : {}) });
