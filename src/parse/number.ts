/** Decimal float as Go's strconv.ParseFloat takes it (hex floats aside). Linear: no nested quantifiers. */
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Special values, matched case-insensitively as Go does (prom-client writes `Nan`). */
const SPECIAL: ReadonlyMap<string, number> = new Map([
  ['nan', Number.NaN],
  ['+nan', Number.NaN],
  ['-nan', Number.NaN],
  ['inf', Number.POSITIVE_INFINITY],
  ['+inf', Number.POSITIVE_INFINITY],
  ['infinity', Number.POSITIVE_INFINITY],
  ['+infinity', Number.POSITIVE_INFINITY],
  ['-inf', Number.NEGATIVE_INFINITY],
  ['-infinity', Number.NEGATIVE_INFINITY],
]);

/**
 * Parses a value token of Prometheus text or plugin text. Returns NaN/±Inf for their spellings (callers drop
 * and count them: Mackerel rejects them) and undefined for a token that is not a number at all.
 */
export function parseNumber(token: string): number | undefined {
  if (DECIMAL.test(token)) return Number(token);
  if (token.length > 9) return undefined;
  return SPECIAL.get(token.toLowerCase());
}
