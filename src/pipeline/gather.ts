import type { GraphMeta, NameCollision } from '../parse';
import type { Logger } from '../log';
import type { BodyFetcher } from '../scrape/bodyFetcher';
import type { CounterStore, Issue, MetricValue, Target } from '../types';
import { parseTarget, type Placement, type TargetOutcome } from './targetWork';

/** A target with where its values go. */
export interface PlacedTarget extends Placement {
  readonly target: Target;
}

/** Everything one round of fetching and parsing produced. */
export interface Gathered {
  readonly outcomes: readonly TargetOutcome[];
  readonly values: MetricValue[];
  readonly graphs: { prefix: string; meta: GraphMeta }[];
  readonly failed: Issue[];
  readonly dropped: Record<string, number>;
  readonly scraped: number;
  readonly bytesScraped: number;
}

/**
 * Fetches every placed target, parses each body as it arrives, and collects values, graphs and failures.
 * The parse is awaited inside the fetcher's `onResult`, so the fetcher keeps a body's bytes reserved
 * (MAX_INFLIGHT_BYTES) until it has been parsed and dropped.
 */
export async function gather(
  placed: readonly PlacedTarget[],
  deps: { fetcher: BodyFetcher; counters: CounterStore; logger: Logger; maxNamesPerTarget?: number },
  nowS: number,
  signal?: AbortSignal,
): Promise<Gathered> {
  const placementOf = new Map(placed.map((p) => [p.target.id, p]));
  const outcomes: TargetOutcome[] = [];
  const ctx = { counters: deps.counters, nowS, signal, maxNamesPerTarget: deps.maxNamesPerTarget };
  // Every parse started, so none is missed should a fetcher not await its onResult.
  const parses: Promise<void>[] = [];
  await deps.fetcher.fetchEach(
    placed.map((p) => p.target),
    (target, body) => {
      const parse = parseTarget(target, placementOf.get(target.id) ?? { key: target.taskId }, body, ctx).then((o) => {
        outcomes.push(o);
      });
      parses.push(parse);
      return parse;
    },
    signal,
  );
  await Promise.all(parses);
  const out: Gathered = { outcomes, values: [], graphs: [], failed: [], dropped: {}, scraped: 0, bytesScraped: 0 };
  let scraped = 0;
  let bytes = 0;
  for (const o of outcomes) {
    if (o.kind === 'failed') {
      deps.logger.warn('target failed', { targetId: o.target.id, stage: o.stage, kind: o.errorKind, reason: o.reason, errorName: o.errorName });
      out.failed.push({ target: o.target.id, reason: `${o.stage}: ${o.reason}`, stage: o.stage, kind: o.errorKind });
      continue;
    }
    scraped++;
    bytes += o.bytes;
    if (o.collisions.length > 0) out.failed.push(collisionIssue(o.target.id, o.collisions, deps.logger));
    for (const v of o.values) out.values.push(v);
    // Graph definitions only for what lands on hosts (a Fargate target feeds service metrics alone).
    if (placementOf.get(o.target.id)?.hostId !== undefined) for (const meta of o.graphs) out.graphs.push({ prefix: o.target.prefix, meta });
    for (const d of o.dropped) out.dropped[d.reason] = (out.dropped[d.reason] ?? 0) + d.count;
  }
  return { ...out, scraped, bytesScraped: bytes };
}

/** Examples of colliding names an Issue quotes; the log line has them all. */
const COLLISIONS_QUOTED = 3;

/**
 * A name two different series of a target mapped to is an error in the summary (`parse/collision`): the first
 * series was posted, the others were not. The target's other values were posted as usual.
 */
function collisionIssue(targetId: string, collisions: readonly NameCollision[], logger: Logger): Issue {
  const lost = collisions.reduce((n, c) => n + c.count, 0);
  logger.error('metric name collision', { targetId, collisions: collisions.map((c) => ({ name: c.name, otherSeries: c.count })) });
  const quoted = collisions.slice(0, COLLISIONS_QUOTED).map((c) => `${c.name} (${c.count} more series)`);
  const more = collisions.length > COLLISIONS_QUOTED ? `, and ${collisions.length - COLLISIONS_QUOTED} more names` : '';
  const reason = `parse: name collision: ${quoted.join(', ')}${more}; ${lost} series not posted (exclude the family or rename a label)`;
  return { target: targetId, reason, stage: 'parse', kind: 'collision' };
}
