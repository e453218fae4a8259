import { MAX_RAW_NAME_PART_LENGTH } from '../mackerel/naming';

const SPACE = 0x20;
const TAB = 0x09;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** A blank between tokens: promlex.l skips `[ \t]+` anywhere on a line. */
export function isBlank(c: number): boolean {
  return c === SPACE || c === TAB;
}
function isLetterOrUnderscore(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f;
}
function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/**
 * A single-pass scanner over one line of Prometheus text (no regular expressions on the line itself, so no
 * backtracking cost on hostile input). Grammar: https://prometheus.io/docs/instrumenting/exposition_formats/ and
 * prometheus/prometheus model/textparse/promlex.l, which this follows token by token.
 */
export class PromScanner {
  i = 0;
  /** Set when a name or label value ran past MAX_RAW_NAME_PART_LENGTH; scanning goes on to check the line. */
  tooLong = false;
  /** The label value being read by {@link quoted}. */
  private value = '';
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
   * A quoted label value after its opening quote, or undefined when unterminated. As Prometheus: the lexer takes
   * a backslash and any one character (`\\.`), and only `\\`, `\"` and `\n` are resolved (promparse.go
   * `lvalReplacer`); any other escape stays as written, so `C:\Windows` is the value `C:\Windows`.
   * Past MAX_RAW_NAME_PART_LENGTH characters the value stops growing (and `tooLong` is set), but the rest is
   * still checked, so a malformed line is malformed whatever its length.
   */
  quoted(): string | undefined {
    this.value = '';
    let start = this.i;
    while (this.i < this.s.length) {
      const c = this.s.charCodeAt(this.i);
      if (c === QUOTE) {
        this.keep(this.s.slice(start, this.i));
        this.i++;
        return this.value;
      }
      if (c === BACKSLASH) {
        const next = this.s[this.i + 1];
        if (next === undefined) return undefined;
        this.keep(this.s.slice(start, this.i));
        this.keep(next === 'n' ? '\n' : next === '\\' || next === '"' ? next : `\\${next}`);
        this.i += 2;
        start = this.i;
        continue;
      }
      this.i++;
    }
    return undefined;
  }
  private keep(piece: string): void {
    if (this.tooLong) return;
    this.value += piece;
    if (this.value.length > MAX_RAW_NAME_PART_LENGTH) {
      this.tooLong = true;
      this.value = this.value.slice(0, MAX_RAW_NAME_PART_LENGTH);
    }
  }
  /** The reason a line cannot be read, with the column where reading stopped. */
  fail(what: string): { readonly kind: 'error'; readonly reason: string } {
    return { kind: 'error', reason: `${what} at column ${this.i + 1}` };
  }
}
