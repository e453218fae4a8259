/**
 * Structured logs: one JSON object per line, a constant `message` plus fields. Every line goes through
 * `redact`, so a secret registered once never reaches the output.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
/**
 * Secrets at least this long are replaced wherever they occur, inside other text too: a string of 8+ characters
 * turning up by chance inside an ordinary word is not a risk worth weighing (a real Mackerel API key is 44).
 */
export const MIN_SUBSTRING_SECRET_LENGTH = 8;

/** Characters that make up a "word" around a short secret: the secret is replaced only where neither side is one. */
const WORD_CHAR = '[A-Za-z0-9_]';

/** Registered secrets, each with the pattern that finds it. */
const secrets = new Map<string, RegExp>();

/**
 * Registers a value that must never be logged (the Mackerel API key). Rule: every non-empty value is
 * registered, however short, so a secret is always redacted where it appears in full; but a value shorter than
 * {@link MIN_SUBSTRING_SECRET_LENGTH} is replaced only as a whole word (not preceded or followed by a letter,
 * digit or `_`). A key of `test` then turns `key=test` and `"test"` into `***` but leaves "latest" and
 * "testing" alone: replacing every occurrence of a short value would mangle ordinary words of every message.
 * Its JSON-escaped form is registered too, since log lines are redacted after JSON.stringify.
 */
export function registerSecret(value: string | undefined): void {
  if (!value) return;
  for (const form of new Set([value, JSON.stringify(value).slice(1, -1)])) {
    if (secrets.has(form)) continue;
    const literal = form.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const pattern = form.length >= MIN_SUBSTRING_SECRET_LENGTH ? literal : `(?<!${WORD_CHAR})${literal}(?!${WORD_CHAR})`;
    secrets.set(form, new RegExp(pattern, 'g'));
  }
}

/** Replaces every registered secret in a string with `***` (see {@link registerSecret} for the rule). */
export function redact(text: string): string {
  let out = text;
  // Longest first: a short secret that is part of a longer one must not leave the longer one's remains.
  for (const [, pattern] of [...secrets].sort(([a], [b]) => b.length - a.length)) out = out.replace(pattern, '***');
  return out;
}

/** A logger writing JSON lines to `write` (stderr by default, so stdout stays for CLI output). */
export function createLogger(
  options: { level?: LogLevel; write?: (line: string) => void; base?: LogFields } = {},
): Logger {
  const min = LEVELS[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const emit = (level: LogLevel, message: string, fields?: LogFields): void => {
    if (LEVELS[level] < min) return;
    const line = JSON.stringify({ level, time: new Date().toISOString(), message, ...options.base, ...fields }, (_k, v: unknown) =>
      v instanceof Error ? { name: v.name, message: v.message } : v,
    );
    write(redact(line));
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
  };
}

/** A logger that drops everything. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
