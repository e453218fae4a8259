/**
 * Walks a body line by line, as `body.split('\n')` would give the lines, without building the array: a
 * 1,000,000-line body would otherwise be 1,000,000 strings held at once.
 */
export class LineCursor {
  private pos = 0;
  /** 1-based number of the line last returned by {@link next}. */
  lineNo = 0;

  constructor(private readonly body: string) {}

  /** The next line without its `\n`, or undefined after the last one. */
  next(): string | undefined {
    if (this.pos > this.body.length) return undefined;
    const nl = this.body.indexOf('\n', this.pos);
    const end = nl < 0 ? this.body.length : nl;
    const line = this.body.slice(this.pos, end);
    this.pos = end + 1;
    this.lineNo++;
    return line;
  }
}

/**
 * A copy of `s` that does not keep the body alive. V8 makes a substring of 13 characters or more a view into
 * its parent, so a family name kept in a Sample (or in a counter key, across cycles) would keep the whole
 * multi-megabyte body in memory. Prepending a character builds a rope, which `slice` flattens into a new
 * string: one small copy per series kept.
 */
export function detach(s: string): string {
  return ` ${s}`.slice(1);
}
