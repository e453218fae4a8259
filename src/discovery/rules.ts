/**
 * TARGET_RULES: endpoints for task definitions that cannot carry docker labels (the seed's
 * `docker ps --filter name=…` case). A JSON array such as
 * `[{"family":"api-.*","container":"app","port":8080,"format":"gostats","path":"/stats","prefix":"gostats"}]`,
 * optionally with name filters `"include"`, `"exclude"` (RE2 patterns over the `<graph>.<metric>` part of the
 * names, as the `mackerel.metrics.include|exclude` labels) and `"maxNames"` (1-10000, the target's own
 * MAX_NAMES_PER_TARGET). Labels on the container win over these field by field.
 *
 * Patterns are regular expressions in RE2 syntax (src/util/namePattern.ts: linear time, so a family name cannot
 * hang the cycle; no lookaround or backreferences) that must match the WHOLE family / container name (as
 * `^(?:pattern)$`), so `api` does not also catch `api-canary`; write `api.*` for a prefix match. At least one of
 * `family` and `container` is required; when both are given both must match. Unknown keys are refused (typo
 * protection), and every problem is reported with its rule index. The compiled rules are what the resolver runs.
 */
import { err, ok, type Result } from '../result';
import type { MetricFormat } from '../types';
import { compileNamePattern, type NamePattern } from '../util/namePattern';
import { checkFilterPattern, checkFormat, checkMaxNames, checkPath, checkPort, checkPrefix } from './endpoint';

/** One compiled rule. */
export interface TargetRule {
  readonly familyPattern?: NamePattern;
  readonly containerPattern?: NamePattern;
  readonly port: number;
  readonly format?: MetricFormat;
  readonly path?: string;
  readonly prefix?: string;
  /** Name filter sources, checked to compile (src/filter/patternCache.ts keeps the compiled form). */
  readonly include?: string;
  readonly exclude?: string;
  readonly maxNames?: number;
}

const ALLOWED_KEYS = ['family', 'container', 'port', 'format', 'path', 'prefix', 'include', 'exclude', 'maxNames'] as const;

function compilePattern(where: string, value: unknown, problems: string[]): NamePattern | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') {
    problems.push(`${where} must be a non-empty string (a regular expression)`);
    return undefined;
  }
  const compiled = compileNamePattern(value);
  if (!compiled.ok) problems.push(`${where} ${JSON.stringify(value)} is not a valid regular expression: ${compiled.error}`);
  return compiled.ok ? compiled.value : undefined;
}

function optionalString<T>(where: string, value: unknown, check: (v: string) => Result<T, string>, problems: string[]): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') {
    problems.push(`${where} must be a string`);
    return undefined;
  }
  const checked = check(value);
  if (!checked.ok) problems.push(`${where} ${JSON.stringify(value)} ${checked.error}`);
  return checked.ok ? checked.value : undefined;
}

function optionalNumber(where: string, value: unknown, check: (v: number) => Result<number, string>, problems: string[]): number | undefined {
  if (value === undefined) return undefined;
  // A string is refused with the range message too: JSON `"500"` is a typo for `500`, not a number.
  const checked = check(typeof value === 'number' ? value : Number.NaN);
  if (!checked.ok) problems.push(`${where} ${JSON.stringify(value)} ${checked.error}`);
  return checked.ok ? checked.value : undefined;
}

function parseRule(index: number, raw: unknown, problems: string[]): TargetRule | undefined {
  const at = `TARGET_RULES[${index}]`;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    problems.push(`${at} must be an object`);
    return undefined;
  }
  const rec = raw as Record<string, unknown>;
  const before = problems.length;
  for (const key of Object.keys(rec)) {
    if (!(ALLOWED_KEYS as readonly string[]).includes(key)) problems.push(`${at}: unknown key "${key}" (allowed: ${ALLOWED_KEYS.join(', ')})`);
  }
  if (rec.family === undefined && rec.container === undefined) problems.push(`${at}: needs "family" or "container" (or both)`);
  const familyPattern = compilePattern(`${at}.family`, rec.family, problems);
  const containerPattern = compilePattern(`${at}.container`, rec.container, problems);
  let port: number | undefined;
  if (rec.port === undefined) problems.push(`${at}.port is required`);
  else if (typeof rec.port !== 'number' || !checkPort(rec.port).ok) problems.push(`${at}.port ${JSON.stringify(rec.port)} must be an integer 1-65535`);
  else port = rec.port;
  const format = optionalString(`${at}.format`, rec.format, checkFormat, problems);
  const path = optionalString(`${at}.path`, rec.path, checkPath, problems);
  const prefix = optionalString(`${at}.prefix`, rec.prefix, checkPrefix, problems);
  const include = optionalString(`${at}.include`, rec.include, checkFilterPattern, problems);
  const exclude = optionalString(`${at}.exclude`, rec.exclude, checkFilterPattern, problems);
  const maxNames = optionalNumber(`${at}.maxNames`, rec.maxNames, checkMaxNames, problems);
  if (problems.length > before || port === undefined) return undefined;
  return {
    port,
    ...(familyPattern ? { familyPattern } : {}),
    ...(containerPattern ? { containerPattern } : {}),
    ...(format ? { format } : {}),
    ...(path ? { path } : {}),
    ...(prefix ? { prefix } : {}),
    ...(include === undefined ? {} : { include }),
    ...(exclude === undefined ? {} : { exclude }),
    ...(maxNames === undefined ? {} : { maxNames }),
  };
}

/**
 * Parses and compiles TARGET_RULES. A blank value means "no rules". Returns every problem found, not just the
 * first, each naming the rule index and key.
 */
export function parseTargetRules(json: string): Result<TargetRule[], string[]> {
  if (json.trim() === '') return ok([]);
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (e) {
    return err([`TARGET_RULES is not valid JSON: ${e instanceof Error ? e.message : String(e)}`]);
  }
  if (!Array.isArray(parsed)) return err(['TARGET_RULES must be a JSON array of rules']);
  const problems: string[] = [];
  const rules: TargetRule[] = [];
  parsed.forEach((raw: unknown, i) => {
    const rule = parseRule(i, raw, problems);
    if (rule) rules.push(rule);
  });
  return problems.length > 0 ? err(problems) : ok(rules);
}

/** True when the rule applies to this family and container (every given pattern must match in full). */
export function ruleMatches(rule: TargetRule, family: string, container: string): boolean {
  if (rule.familyPattern && !rule.familyPattern.test(family)) return false;
  if (rule.containerPattern && !rule.containerPattern.test(container)) return false;
  return rule.familyPattern !== undefined || rule.containerPattern !== undefined;
}
