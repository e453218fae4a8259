import { MAX_RAW_NAME_PART_LENGTH } from '../mackerel/naming';
import { parseNumber } from './number';

/** One line of the Prometheus text exposition format 0.0.4, as far as the collector needs it. */
export type PromLine =
  | { readonly kind: 'skip' }
  | { readonly kind: 'type'; readonly family: string; readonly type: string }
  | {
      readonly kind: 'sample';
      readonly name: string;
      /** [name, value] pairs in the order they appear, escapes resolved. */
      readonly labels: readonly (readonly [string, string])[];
      readonly value: number;
    }
  /**
   * A well-formed sample whose family name or a label value is longer than MAX_RAW_NAME_PART_LENGTH: it could
   * never make a valid metric name, so it is counted and dropped without building its strings.
   */
  | { readonly kind: 'too-long' }
  | { readonly kind: 'error'; readonly reason: string };

const SPACE = 0x20;
const TAB = 0x09;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function isBlank(c: number): boolean {
  return c === SPACE || c === TAB;
}
function isLetterOrUnderscore(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f;
}
function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/**
 * A single-pass scanner over one line (no regular expressions on the line itself, so no backtracking cost
 * on hostile input). Grammar: https://prometheus.io/docs/instrumenting/exposition_formats/#text-format-details
 */
class Scanner {
  i = 0;
  /** Set when a name or label value ran past MAX_RAW_NAME_PART_LENGTH; scanning goes on to check the line. */
  tooLong = false;
  constructor(readonly s: string) {}
  skipBlanks(): void {
    while (this.i < this.s.length && isBlank(this.s.charCodeAt(this.i))) this.i++;
  }
  atEnd(): boolean {
    return this.i >= this.s.length;
  }
  peek(): number {
    return this.s.charCodeAt(this.i);
  }
  /** A metric name `[a-zA-Z_:][a-zA-Z0-9_:]*`, or '' when there is none. */
  metricName(): string {
    return this.identifier(true);
  }
  /** A label name `[a-zA-Z_][a-zA-Z0-9_]*`, or ''. */
  labelName(): string {
    return this.identifier(false);
  }
  private identifier(colon: boolean): string {
    const start = this.i;
    while (this.i < this.s.length) {
      const c = this.s.charCodeAt(this.i);
      const ok = isLetterOrUnderscore(c) || (colon && c === 0x3a) || (this.i > start && isDigit(c));
      if (!ok) break;
      this.i++;
    }
    if (this.i - start > MAX_RAW_NAME_PART_LENGTH) {
      this.tooLong = true;
      return this.s.slice(start, start + MAX_RAW_NAME_PART_LENGTH);
    }
    return this.s.slice(start, this.i);
  }
  /** Characters up to the next blank or the end. */
  token(): string {
    const start = this.i;
    while (this.i < this.s.length && !isBlank(this.s.charCodeAt(this.i))) this.i++;
    return this.s.slice(start, this.i);
  }
  /**
   * A quoted label value after its opening quote; escapes \\ \" \n. undefined when unterminated or bad.
   * Past MAX_RAW_NAME_PART_LENGTH characters the value stops growing (and `tooLong` is set), but the rest is
   * still checked, so a malformed line is an error whatever its length.
   */
  quoted(): string | undefined {
    this.value = '';
    let start = this.i;
    while (this.i < this.s.length) {
      const c = this.s.charCodeAt(this.i);
      if (c === QUOTE) {
        if (!this.tooLong) this.keep(this.s.slice(start, this.i));
        this.i++;
        return this.value;
      }
      if (c === BACKSLASH) {
        if (!this.tooLong) this.keep(this.s.slice(start, this.i));
        const next = this.s[this.i + 1];
        if (next === '\\' || next === '"') this.keep(next);
        else if (next === 'n') this.keep('\n');
        else return undefined;
        this.i += 2;
        start = this.i;
        continue;
      }
      this.i++;
    }
    return undefined;
  }
  /** The label value being read by {@link quoted}. */
  private value = '';
  private keep(piece: string): void {
    if (this.tooLong) return;
    this.value += piece;
    if (this.value.length > MAX_RAW_NAME_PART_LENGTH) {
      this.tooLong = true;
      this.value = this.value.slice(0, MAX_RAW_NAME_PART_LENGTH);
    }
  }
  fail(what: string): PromLine {
    return { kind: 'error', reason: `${what} at column ${this.i + 1}` };
  }
}

function scanComment(sc: Scanner): PromLine {
  sc.i++; // '#'
  sc.skipBlanks();
  const keyword = sc.token();
  if (keyword !== 'TYPE' && keyword !== 'HELP') return { kind: 'skip' };
  sc.skipBlanks();
  const family = sc.metricName();
  if (family === '') return sc.fail(`expected a metric name after # ${keyword}`);
  if (keyword === 'HELP') return { kind: 'skip' };
  sc.skipBlanks();
  const type = sc.token();
  if (type === '') return sc.fail('expected a type after # TYPE <name>');
  // The family's samples are too long as well and are counted there; its type is not needed.
  if (sc.tooLong) return { kind: 'skip' };
  return { kind: 'type', family, type };
}

function scanLabels(sc: Scanner, labels: [string, string][]): PromLine | undefined {
  sc.i++; // '{'
  for (;;) {
    sc.skipBlanks();
    if (sc.atEnd()) return sc.fail("expected '}'");
    if (sc.peek() === 0x7d) {
      sc.i++;
      return undefined;
    }
    const name = sc.labelName();
    if (name === '') return sc.fail('expected a label name');
    sc.skipBlanks();
    if (sc.peek() !== 0x3d) return sc.fail("expected '=' after label name");
    sc.i++;
    sc.skipBlanks();
    if (sc.peek() !== QUOTE) return sc.fail('expected \'"\' before label value');
    sc.i++;
    const value = sc.quoted();
    if (value === undefined) return sc.fail('unterminated label value or bad escape');
    labels.push([name, value]);
    sc.skipBlanks();
    if (sc.peek() === 0x2c) sc.i++;
    else if (sc.peek() !== 0x7d) return sc.fail("expected ',' or '}' after label value");
  }
}

/** Scans one line (without its newline). */
export function scanPromLine(line: string): PromLine {
  const sc = new Scanner(line);
  sc.skipBlanks();
  if (sc.atEnd()) return { kind: 'skip' };
  if (sc.peek() === 0x23) return scanComment(sc);
  const name = sc.metricName();
  if (name === '') return sc.fail('expected a metric name');
  sc.skipBlanks();
  const labels: [string, string][] = [];
  if (sc.peek() === 0x7b) {
    const bad = scanLabels(sc, labels);
    if (bad) return bad;
    sc.skipBlanks();
  }
  const valueToken = sc.token();
  if (valueToken === '') return sc.fail('expected a value');
  const value = parseNumber(valueToken);
  if (value === undefined) return sc.fail(`bad value "${valueToken.slice(0, 30)}"`);
  sc.skipBlanks();
  if (!sc.atEnd()) {
    const ts = sc.token();
    if (!/^-?\d{1,19}$/.test(ts)) return sc.fail('bad timestamp');
    sc.skipBlanks();
    if (!sc.atEnd()) return sc.fail('unexpected text after timestamp');
  }
  if (sc.tooLong) return { kind: 'too-long' };
  return { kind: 'sample', name, labels, value };
}
