import { CollectorError } from '../errors';
import type { MetricFormat } from '../types';

/** Longest piece of a body quoted in an error message: bodies can be megabytes. */
export const MAX_QUOTE_CHARS = 80;

/** Quotes a piece of a body for an error message, cut at {@link MAX_QUOTE_CHARS}. */
export function quote(text: string): string {
  return text.length > MAX_QUOTE_CHARS ? `${JSON.stringify(text.slice(0, MAX_QUOTE_CHARS))}…` : JSON.stringify(text);
}

/** A body that cannot be used at all; the whole target is skipped for this cycle. */
export class ParseError extends CollectorError {
  override readonly name = 'ParseError';
  constructor(
    readonly targetId: string,
    readonly format: MetricFormat,
    readonly reason: string,
    /** 1-based line of the body where the problem is, when it is one line. */
    readonly line?: number,
    options?: ErrorOptions,
  ) {
    super(`${format} body${line === undefined ? '' : ` line ${line}`}: ${reason}`, options);
  }
}
