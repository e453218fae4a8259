import { parseNumber } from './number';
import { isBlank, PromScanner } from './promScanner';

/** Types a `# TYPE` line may give: text format 0.0.4's five and OpenMetrics 1.0's additions. */
export const PROM_TYPES: ReadonlySet<string> = new Set([
  'counter',
  'gauge',
  'histogram',
  'summary',
  'untyped',
  'gaugehistogram',
  'stateset',
  'info',
  'unknown',
]);

/** One line of a Prometheus text exposition (0.0.4, with OpenMetrics tolerated), as far as the collector needs it. */
export type PromLine =
  | { readonly kind: 'skip' }
  /** OpenMetrics `# EOF`: the body ends here. */
  | { readonly kind: 'eof' }
  | { readonly kind: 'type'; readonly family: string; readonly type: string }
  | {
      readonly kind: 'sample';
      readonly name: string;
      /** [name, value] pairs in the order they appear, escapes resolved. */
      readonly labels: readonly (readonly [string, string])[];
      readonly value: number;
      /** The line's own timestamp in epoch milliseconds, when it has one. */
      readonly timestampMs?: number;
    }
  /**
   * A well-formed sample whose family name or a label value is longer than MAX_RAW_NAME_PART_LENGTH: it could
   * never make a valid metric name, so it is counted and dropped without building its strings.
   */
  | { readonly kind: 'too-long' }
  /** A line Prometheus would not read. */
  | { readonly kind: 'error'; readonly reason: string };

const SKIP: PromLine = { kind: 'skip' };
const EOF: PromLine = { kind: 'eof' };
const HASH = 0x23;
const QUOTE = 0x22;
const OPEN = 0x7b;
const CLOSE = 0x7d;
const COMMA = 0x2c;
const EQUALS = 0x3d;
const MANY_LABELS = 16;
const INTEGER_TIMESTAMP = /^-?\d{1,19}$/;

/**
 * Comments. Only `# TYPE` matters and only it can be unreadable. As promlex.l: `#` must be followed by a blank to
 * start a HELP or TYPE line, and `# TYPE` with nothing after it is a plain comment. Unlike Prometheus, a HELP line
 * is never an error (a bare `# HELP ` fails a Prometheus scrape): its text is never used. `# UNIT` and every other
 * comment are skipped; `# EOF` ends the body (OpenMetrics). A TYPE line without a known type, or with text after
 * it, is unreadable, as in Prometheus; its family is then read as untyped.
 */
function scanComment(sc: PromScanner): PromLine {
  sc.i++; // '#'
  if (sc.atEnd() || !isBlank(sc.peek())) return SKIP;
  sc.skipBlanks();
  const keyword = sc.token();
  if (keyword === 'EOF') {
    sc.skipBlanks();
    return sc.atEnd() ? EOF : SKIP;
  }
  if (keyword !== 'TYPE' || sc.atEnd()) return SKIP;
  sc.skipBlanks();
  const family = metricName(sc);
  if (typeof family !== 'string') return family;
  if (family === '') return sc.fail('expected a metric name after # TYPE');
  if (!sc.atEnd() && !isBlank(sc.peek())) return sc.fail('expected a blank after the metric name');
  sc.skipBlanks();
  const type = sc.token();
  if (type === '') return sc.fail('expected a type after # TYPE <name>');
  if (!PROM_TYPES.has(type)) return sc.fail(`unknown metric type "${type.slice(0, 30)}"`);
  sc.skipBlanks();
  if (!sc.atEnd()) return sc.fail('unexpected text after the type');
  // The family's samples are too long as well and are counted there; its type is not needed.
  return sc.tooLong ? SKIP : { kind: 'type', family, type };
}

/** Where the metric name of a sample line goes: '' until it is read, before the braces or inside them. */
interface NameSlot {
  name: string;
}

/** A quoted string after its opening quote (escapes resolved), or an unterminated-string failure. */
function quotedString(sc: PromScanner, what: string): string | PromLine {
  const value = sc.quoted();
  return value === undefined ? sc.fail(`unterminated ${what}`) : value;
}

/** A metric name, plain (`[a-zA-Z_:][a-zA-Z0-9_:]*`) or quoted as Prometheus 3 allows (`"my.metric"`), or ''. */
function metricName(sc: PromScanner): string | PromLine {
  if (sc.peek() !== QUOTE) return sc.metricName();
  sc.i++;
  return quotedString(sc, 'quoted metric name');
}

/**
 * `{name="value",…}`. As promparse.go `parseLVals`: a trailing comma is allowed, and so is a missing comma between
 * two pairs (Prometheus notes this as probably accidental, but reads it). Since Prometheus 3 a label name may be
 * quoted (`"my.label"="x"`), and a quoted string standing alone is the metric name (`{"my.metric",a="b"} 1`); that
 * needs a `slot`, and the name must not be given twice. A label name given twice is an error (Prometheus refuses
 * such a series), and so is an empty name.
 */
function scanLabels(sc: PromScanner, labels: [string, string][], slot: NameSlot | undefined): PromLine | undefined {
  sc.i++; // '{'
  // Names seen so far, once a line has enough labels that a linear search would cost (hostile lines).
  let names: Set<string> | undefined;
  for (let afterValue = false; ; afterValue = true) {
    sc.skipBlanks();
    if (sc.atEnd()) return sc.fail(afterValue ? "expected ',' or '}' after label value" : "expected '}'");
    if (sc.peek() === CLOSE) {
      sc.i++;
      return undefined;
    }
    let name: string | PromLine;
    if (sc.peek() === QUOTE) {
      sc.i++;
      name = quotedString(sc, 'quoted name');
      if (typeof name !== 'string') return name;
      sc.skipBlanks();
      if (sc.peek() === COMMA || sc.peek() === CLOSE) {
        if (slot === undefined || slot.name !== '') return sc.fail('a metric name where a label was expected');
        if (name === '') return sc.fail('empty metric name');
        slot.name = name;
        if (sc.peek() === COMMA) sc.i++;
        continue;
      }
    } else {
      name = sc.labelName();
      sc.skipBlanks();
    }
    if (name === '') return sc.fail('expected a label name');
    if (labels.length === MANY_LABELS) names = new Set(labels.map(([n]) => n));
    if (names ? names.has(name) : labels.some(([n]) => n === name)) return sc.fail(`label ${JSON.stringify(name.slice(0, 30))} given twice`);
    names?.add(name);
    if (sc.peek() !== EQUALS) return sc.fail("expected '=' after label name");
    sc.i++;
    sc.skipBlanks();
    if (sc.peek() !== QUOTE) return sc.fail('expected \'"\' before label value');
    sc.i++;
    const value = quotedString(sc, 'label value');
    if (typeof value !== 'string') return value;
    labels.push([name, value]);
    sc.skipBlanks();
    if (sc.peek() === COMMA) sc.i++;
  }
}

/**
 * A timestamp in epoch milliseconds: an integer as text format 0.0.4 writes it (milliseconds), or a number with a
 * fraction or exponent as OpenMetrics writes it (seconds). An OpenMetrics integer (seconds) is read as
 * milliseconds, lands in January 1970 and is dropped as outside Mackerel's window: the collector asks for 0.0.4.
 */
function timestampMs(token: string): number | undefined {
  if (INTEGER_TIMESTAMP.test(token)) return Number(token);
  const seconds = parseNumber(token);
  return seconds !== undefined && Number.isFinite(seconds) ? seconds * 1000 : undefined;
}

/** An OpenMetrics exemplar after the value: `# {labels} value [timestamp]`. Checked, then ignored. */
function scanExemplar(sc: PromScanner): PromLine | undefined {
  sc.i++; // '#'
  sc.skipBlanks();
  if (sc.peek() !== OPEN) return sc.fail("expected '{' after '#' (an exemplar)");
  const tooLong = sc.tooLong;
  const bad = scanLabels(sc, [], undefined);
  if (bad) return bad;
  sc.tooLong = tooLong; // exemplar labels are never posted, whatever their length
  sc.skipBlanks();
  if (parseNumber(sc.token()) === undefined) return sc.fail('bad exemplar value');
  sc.skipBlanks();
  if (!sc.atEnd() && timestampMs(sc.token()) === undefined) return sc.fail('bad exemplar timestamp');
  sc.skipBlanks();
  return sc.atEnd() ? undefined : sc.fail('unexpected text after the exemplar');
}

/** Scans one line (without its newline). */
export function scanPromLine(line: string): PromLine {
  const sc = new PromScanner(line);
  sc.skipBlanks();
  if (sc.atEnd()) return SKIP;
  if (sc.peek() === HASH) return scanComment(sc);
  const slot: NameSlot = { name: '' };
  if (sc.peek() !== OPEN) {
    slot.name = sc.metricName();
    if (slot.name === '') return sc.fail('expected a metric name');
    sc.skipBlanks();
  }
  const labels: [string, string][] = [];
  if (sc.peek() === OPEN) {
    const bad = scanLabels(sc, labels, slot);
    if (bad) return bad;
    if (slot.name === '') return sc.fail('no metric name before or inside the braces');
    sc.skipBlanks();
  }
  const valueToken = sc.token();
  if (valueToken === '') return sc.fail('expected a value');
  const value = parseNumber(valueToken);
  if (value === undefined) return sc.fail(`bad value "${valueToken.slice(0, 30)}"`);
  sc.skipBlanks();
  let ts: number | undefined;
  if (!sc.atEnd() && sc.peek() !== HASH) {
    ts = timestampMs(sc.token());
    if (ts === undefined) return sc.fail('bad timestamp');
    sc.skipBlanks();
  }
  if (!sc.atEnd()) {
    if (sc.peek() !== HASH) return sc.fail('unexpected text after timestamp');
    const bad = scanExemplar(sc);
    if (bad) return bad;
  }
  if (sc.tooLong) return { kind: 'too-long' };
  const name = slot.name;
  return ts === undefined ? { kind: 'sample', name, labels, value } : { kind: 'sample', name, labels, value, timestampMs: ts };
}
