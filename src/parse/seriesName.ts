import { createHash } from 'node:crypto';
import { sanitizeNode } from '../mackerel/naming';

/**
 * The metric node of a Prometheus series: `<graph>.<node>`, where the graph is the family and the node tells the
 * family's series apart. The rule (README "What lands in Mackerel"):
 *
 * - **Identity.** A series is its labels with empty values removed (Prometheus treats `a=""` as no label `a`),
 *   sorted by label name. The summary `quantile` label is part of it.
 * - **`value`** for a series with no label left.
 * - **Plain form** when every value matches `[A-Za-z0-9-]+` (no `_`): the values in label-name order joined by
 *   `_`. In a summary family the quantile comes last as `q` + its number with `.` → `_` (`q0_99`) when it is a
 *   plain decimal (`+Inf`, `NaN`, `1e-05` take the digest form). `{cpu="0",mode="idle"}` → `0_idle`,
 *   `{method="GET",code="200"}` → `200_GET` (code sorts before method).
 * - **Digest form** otherwise, and when the plain form would be over {@link MAX_SERIES_NODE_LENGTH} characters:
 *   `<readable>__<digest>`. digest = the first 8 hex characters of SHA-256 over the canonical identity (JSON of the
 *   sorted `[name, value]` pairs); readable = the values in the same order, sanitised to `[-a-zA-Z0-9_]`, joined by
 *   `_`, runs of `_` made one, `_` trimmed at both ends, cut so the node stays within 64 characters.
 *   `{path="/api/users"}` → `api_users__<8 hex>`, `{a="x_y"}` → `x_y__<8 hex>`, `{name="東京"}` → `__<8 hex>`
 *   (nothing readable is left, so the node is the digest alone).
 *
 * Injective on identities within one family: a plain form never holds `__` (values are non-empty and hold no
 * `_`), a digest form always ends in `__` + 8 hex; two plain forms are equal only when their value lists are;
 * two digest forms only on a SHA-256 prefix collision. What is left, and is detected by the parser (never silent):
 * the same values under different label names (`{a="x"}` vs `{b="x"}`), the label value `value` vs an unlabelled
 * series, a summary series without a quantile whose last values read like one (`{a="q0",b="99"}` vs
 * `{quantile="0.99"}`), and family names that sanitise alike (`a:b` vs `a_b`). A node depends only on its own
 * series, never on which other series a body holds.
 */

/** Metric node of an unlabelled series (the name the collector has always used). */
export const UNLABELLED_METRIC = 'value';
/** Longest node: a readable legend entry in Mackerel, and room in the 255-character metric name. */
export const MAX_SERIES_NODE_LENGTH = 64;
/** Hex characters of SHA-256 in a digest-form node: 32 bits, so a collision is one in four billion pairs. */
export const DIGEST_HEX_CHARS = 8;
/** Separates the readable part from the digest; a plain form never holds it. */
const DIGEST_SEPARATOR = '__';
/** Label of a summary's quantile series. */
const QUANTILE = 'quantile';

const PLAIN_VALUE = /^[A-Za-z0-9-]+$/;
const PLAIN_QUANTILE = /^[0-9]+(?:\.[0-9]+)?$/;
const UNDERSCORES = /_+/g;
const EDGE_UNDERSCORES = /^_+|_+$/g;

/** A `[label name, label value]` pair. */
export type LabelPair = readonly [string, string];

/** How a series is told apart in its family. */
export interface SeriesName {
  /** The metric node: `value`, the plain form or the digest form. */
  readonly node: string;
  /**
   * The canonical identity, JSON of the sorted non-empty `[name, value]` pairs (`[]` when unlabelled): exact, so
   * callers key counter baselines and detect collisions on it.
   */
  readonly identity: string;
}

/** The identity of a series: labels with empty values removed, sorted by label name (code-unit order). */
export function seriesIdentity(labels: readonly LabelPair[]): LabelPair[] {
  return labels.filter(([, value]) => value !== '').sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Names one series of a family. `summary`: the family is a summary's base name, so a `quantile` label is written
 * last as `q0_99`; elsewhere `quantile` is an ordinary label.
 */
export function nameSeries(labels: readonly LabelPair[], summary: boolean): SeriesName {
  const pairs = seriesIdentity(labels);
  const identity = JSON.stringify(pairs);
  if (pairs.length === 0) return { node: UNLABELLED_METRIC, identity };
  const values: string[] = [];
  let quantile: string | undefined;
  for (const [name, value] of pairs) {
    if (summary && name === QUANTILE) quantile = value;
    else values.push(value);
  }
  const plain = plainNode(values, quantile);
  if (plain !== undefined) return { node: plain, identity };
  if (quantile !== undefined) values.push(`q${quantile}`);
  return { node: digestNode(values, identity), identity };
}

function plainNode(values: readonly string[], quantile: string | undefined): string | undefined {
  if (!values.every((v) => PLAIN_VALUE.test(v))) return undefined;
  if (quantile !== undefined && !PLAIN_QUANTILE.test(quantile)) return undefined;
  const parts = quantile === undefined ? values : [...values, `q${quantile.replace('.', '_')}`];
  const node = parts.join('_');
  return node.length <= MAX_SERIES_NODE_LENGTH ? node : undefined;
}

function digestNode(values: readonly string[], identity: string): string {
  const digest = createHash('sha256').update(identity).digest('hex').slice(0, DIGEST_HEX_CHARS);
  const room = MAX_SERIES_NODE_LENGTH - DIGEST_SEPARATOR.length - DIGEST_HEX_CHARS;
  return `${readablePart(values, room)}${DIGEST_SEPARATOR}${digest}`;
}

/** The values sanitised and joined by `_`, runs of `_` made one, trimmed, at most `room` characters. */
function readablePart(values: readonly string[], room: number): string {
  let readable = '';
  for (const value of values) {
    // Each value is at most MAX_RAW_NAME_PART_LENGTH characters (the scanner drops longer ones); stop once full.
    readable = `${readable}_${sanitizeNode(value)}`.replace(UNDERSCORES, '_').replace(EDGE_UNDERSCORES, '');
    if (readable.length >= room) break;
  }
  return readable.slice(0, room).replace(EDGE_UNDERSCORES, '');
}
