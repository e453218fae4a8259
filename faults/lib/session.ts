/**
 * The frame every scenario runs in: world + loopback guard + meters + (optionally) fake time + one cold
 * container, torn down whatever happens; the row is built from what the receiver stored, what the proxy saw
 * and the checks the scenario made.
 */
import type { MetricValue } from '../../src/types';
import { check, verdictOf, type Check, type Row } from '../types';
import { installFakeClock, type FakeClock } from './clock';
import { installLoopbackGuard } from './guard';
import { startLambda, type FaultLambda, type Invocation, type LambdaOptions } from './lambda';
import { countValues, startMeters } from './measure';
import { startWorld, type World, type WorldOptions } from './world';

/** What a scenario body works with. */
export interface Session {
  readonly world: World;
  /** The current container; `coldStart()` replaces it. */
  lambda: FaultLambda;
  readonly clock?: FakeClock;
  /** Every invocation so far, in order. */
  readonly invocations: Invocation[];
  /** Runs one invocation, records it, then moves fake time on a minute. */
  cycle(remainingMs?: number): Promise<Invocation>;
  /** A new container (its predecessor's memory is gone). */
  coldStart(): void;
}

/** What a scenario body returns. */
export interface Outcome {
  readonly checks: readonly Check[];
  /** Values Mackerel rightly refuses (not counted as produced nor lost). */
  readonly excluded?: (v: MetricValue) => boolean;
  /** The loss is a cold start's: the verdict is needs-durable-state rather than FAIL. */
  readonly durable?: boolean;
  /** No values are involved: the counts show as `-`. */
  readonly noCounts?: boolean;
  readonly note?: string;
  /** Wall time of work done outside `cycle()` (a CLI child), when it is the cycle of this row. */
  readonly cycleMs?: number;
}

/** Options of {@link runSession}. */
export interface SessionOptions extends WorldOptions, LambdaOptions {
  /** Install fake time (each cycle a minute apart). */
  readonly fakeTime?: boolean;
}

/** Runs `body` in a fresh world and container and returns the row of fault `fault`. */
export async function runSession(fault: string, opts: SessionOptions, body: (s: Session) => Promise<Outcome>): Promise<Row> {
  const guard = installLoopbackGuard();
  const meters = startMeters();
  const clock = opts.fakeTime ? installFakeClock() : undefined;
  let world: World | undefined;
  let lambda: FaultLambda | undefined;
  try {
    world = await startWorld(opts);
    const w = world;
    lambda = startLambda(w.env, opts);
    const invocations: Invocation[] = [];
    const session: Session = {
      world: w,
      lambda,
      clock,
      invocations,
      cycle: async (remainingMs) => {
        const inv = await session.lambda.cycle(remainingMs);
        invocations.push(inv);
        clock?.advance(60_000);
        return inv;
      },
      coldStart: () => {
        session.lambda.close();
        session.lambda = startLambda(w.env, opts);
        lambda = session.lambda;
      },
    };
    const out = await body(session);
    const m = meters.stop();
    const generated = invocations.reduce((n, i) => n + (i.summary?.samples ?? 0), 0);
    const counts = out.noCounts ? undefined : countValues(w.mackerel.sentValues(), w.sim.receiver.posted(), generated, out.excluded);
    const refused = guard.attempts();
    const checks = [...out.checks, check('no connection outside 127.0.0.0/8', refused.length === 0, refused.join(', '))];
    return {
      fault,
      ...(counts ? { produced: counts.produced, accepted: counts.accepted, lost: counts.lost, duplicated: counts.duplicated } : {}),
      peakRssMiB: m.peakRssMiB,
      cycleMs: Math.max(out.cycleMs ?? 0, ...invocations.map((i) => i.wallMs)),
      verdict: verdictOf(checks, out.durable),
      checks,
      ...(out.note ? { note: out.note } : {}),
    };
  } finally {
    meters.stop();
    lambda?.close();
    clock?.restore();
    await world?.close();
    guard.remove();
  }
}

/** Every invocation logged a `cycle summary` line. */
export function summariesLogged(invocations: readonly Invocation[]): Check {
  const missing = invocations.map((inv, i) => (inv.logged ? undefined : i + 1)).filter((i) => i !== undefined);
  return check('every cycle logged its summary', missing.length === 0, missing.length ? `none for cycle(s) ${missing.join(', ')}` : undefined);
}

/** No value lost and none stored twice (excluding what the scenario says Mackerel rightly refuses). */
export function nothingLost(world: World, invocations: readonly Invocation[], excluded?: (v: MetricValue) => boolean): Check[] {
  const generated = invocations.reduce((n, i) => n + (i.summary?.samples ?? 0), 0);
  const c = countValues(world.mackerel.sentValues(), world.sim.receiver.posted(), generated, excluded);
  return [
    check('no value lost', c.lost === 0, `${c.lost} of ${c.produced} never accepted`),
    check('no value stored twice', c.duplicated === 0, `${c.duplicated} duplicated`),
  ];
}

/** The error of an invocation as text. */
export const errorText = (e: unknown): string => (e instanceof Error ? `${e.name}: ${e.message}` : String(e));
