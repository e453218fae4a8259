/**
 * Whole-name patterns that run in linear time. TARGET_RULES patterns come from the operator but the names they
 * run against come from anyone who can register a task definition, and a backtracking engine (JavaScript's
 * RegExp) lets `([a-z0-9]+-?)+` take seconds on a 24-character family and never return on a 41-character one,
 * blocking the event loop so that no deadline can fire. RE2's automaton has no backtracking: time grows with
 * pattern size × name length, whatever the input.
 *
 * Engine: re2js, the pure JavaScript port of RE2 (MIT, no dependencies). The native binding `re2` (node-re2)
 * is faster on long inputs but needs node-gyp or a prebuilt download at install time and a platform-matched
 * .node file in the Lambda bundle; names here are at most 255 characters, where re2js takes microseconds.
 * The price of either is RE2 syntax: no lookaround and no backreferences, which need backtracking.
 * https://github.com/google/re2/wiki/Syntax
 */
import { RE2JS, RE2JSSyntaxException } from 're2js';
import { err, ok, type Result } from '../result';

/** A compiled pattern; `test` is true when the WHOLE name matches (as `^(?:source)$` would). */
export interface NamePattern {
  /** The pattern as written. */
  readonly source: string;
  test(name: string): boolean;
}

const LINEAR_TIME = 'patterns run in linear time (RE2 syntax)';

/**
 * The construct RE2 rejects because only a backtracking engine can run it, for a message that says why rather
 * than RE2's parser error. Skips escapes and character classes, where `(?=` and `\1` mean something else.
 */
function backtrackingConstruct(source: string): string | undefined {
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') {
      const next = source[i + 1] ?? '';
      if (!inClass && (/[1-9]/.test(next) || (next === 'k' && source[i + 2] === '<'))) return 'a backreference';
      i++;
    } else if (inClass) {
      if (c === ']') inClass = false;
    } else if (c === '[') {
      inClass = true;
      if (source[i + 1] === '^') i++;
      if (source[i + 1] === ']') i++; // a leading ']' is a literal in RE2
    } else if (c === '(' && source[i + 1] === '?') {
      const kind = source.slice(i + 2, i + 4);
      if (kind.startsWith('=') || kind.startsWith('!')) return 'lookahead';
      if (kind === '<=' || kind === '<!') return 'lookbehind';
    }
  }
  return undefined;
}

/**
 * Compiles `source` for whole-name matching, or says why it cannot: "lookahead is not supported: patterns run in
 * linear time (RE2 syntax)", or RE2's own description of a syntax error.
 */
export function compileNamePattern(source: string): Result<NamePattern, string> {
  let re: RE2JS;
  try {
    re = RE2JS.compile(`^(?:${source})$`);
  } catch (e) {
    const construct = backtrackingConstruct(source);
    if (construct !== undefined) return err(`${construct} is not supported: ${LINEAR_TIME}`);
    if (e instanceof RE2JSSyntaxException) {
      const at = e.getPattern();
      const where = at !== null && at !== `^(?:${source})$` ? `: \`${at}\`` : '';
      return err(`${e.getDescription()}${where} (RE2 syntax)`);
    }
    return err(e instanceof Error ? e.message : String(e));
  }
  return ok({ source, test: (name: string) => re.testExact(name) });
}
