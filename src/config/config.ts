import { z } from 'zod';
import { ConfigError } from '../errors';
import { parseTargetRules, type TargetRule } from '../discovery/rules';
import { DEFAULT_MAX_NAMES_PER_TARGET, MAX_MAX_NAMES, MIN_MAX_NAMES } from '../filter/metricFilter';
import { DEFAULT_ALLOWED_CIDRS, parseCidrs, type Cidr } from '../scrape/cidr';
import { err, ok, type Result } from '../result';
import type { MetricKeyMode } from '../types';
import type { LogLevel } from '../log';

/** How targets are fetched: HTTP from inside the VPC, or curl on the instance through SSM Run Command. */
export type ScrapeMode = 'direct' | 'ssm';
export const SCRAPE_MODES: readonly ScrapeMode[] = ['direct', 'ssm'];

/** The validated, frozen configuration. Nothing outside src/config reads process.env. */
export interface Config {
  readonly clusters: readonly string[];
  readonly scrapeMode: ScrapeMode;
  /** ssm mode: S3 bucket the SSM Agent uploads complete command output to, read when the inline output is cut. */
  readonly ssmOutputBucket?: string;
  /** Absent when the key comes from SSM (MACKEREL_API_KEY_PARAMETER) and has not been read yet, or in a dry run. */
  readonly mackerelApiKey?: string;
  readonly mackerelApiKeyParameter?: string;
  readonly mackerelApiBase: string;
  readonly targetRules: readonly TargetRule[];
  readonly metricKey: MetricKeyMode;
  readonly scrapeTimeoutMs: number;
  readonly scrapeConcurrency: number;
  readonly maxBodyBytes: number;
  /** MAX_INFLIGHT_BYTES: body bytes all concurrent scrapes may hold together until parsed (see {@link defaultMaxInflightBytes}). */
  readonly maxInflightBytes: number;
  /**
   * MAX_NAMES_PER_TARGET: most distinct metric names one target posts after its include/exclude filters (the
   * first in name order; `mackerel.metrics.max-names` overrides it per target). Default: one standard host's 200.
   */
  readonly maxNamesPerTarget: number;
  readonly dryRun: boolean;
  readonly allowedCidrs: readonly Cidr[];
  readonly logLevel: LogLevel;
  /** Mackerel service that receives per-ECS-service totals (and Fargate tasks' metrics); unset: none posted. */
  readonly mackerelService?: string;
  /** `hourly`: the scheduled function also creates/updates the per-service dashboards once an hour. */
  readonly dashboards: 'off' | 'hourly';
  /** CHECKS: report one Mackerel check per host with targets each cycle (README "Monitoring the collector"). */
  readonly checks: boolean;
  /** CHECK_NAME: the check's name in Mackerel (one alert per host and name). */
  readonly checkName: string;
  /** CHECK_ATTEMPTS: consecutive failing cycles before Mackerel opens an alert (`maxCheckAttempts`). */
  readonly checkAttempts: number;
  /** CHECK_FAILURE_STATUS: the status a host with failing targets is reported with. */
  readonly checkFailureStatus: 'CRITICAL' | 'WARNING';
  /** MONITORS=on: the scheduled function creates/updates the collector's service-metric monitors (needs MACKEREL_SERVICE). */
  readonly monitors: 'off' | 'on';
  /** HEALTH_NAMESPACE: CloudWatch namespace of the collector's EMF health metrics. */
  readonly healthNamespace: string;
}

/** Defaults, each with its unit in the name. */
export const DEFAULTS = {
  MACKEREL_API_BASE: 'https://api.mackerelio.com',
  SCRAPE_TIMEOUT_MS: 3000,
  // Measured (bench/README.md): 256 in flight beats 64 by 10% at 5 ms targets and 2× at 50 ms; 256 sockets fit
  // Lambda's 1,024 file descriptors (no keep-alive, so none linger).
  SCRAPE_CONCURRENCY: 256,
  MAX_BODY_BYTES: 4 * 1024 * 1024,
  /** MAX_INFLIGHT_BYTES when the function's memory is unknown (the CLI): 25% of Lambda's 1,024 MB default. */
  MAX_INFLIGHT_BYTES: 256 * 1024 * 1024,
  /** Share of AWS_LAMBDA_FUNCTION_MEMORY_SIZE that MAX_INFLIGHT_BYTES defaults to. */
  MAX_INFLIGHT_SHARE_OF_MEMORY: 0.25,
  /** Names one target may post: the 200 metrics a standard Mackerel host includes. */
  MAX_NAMES_PER_TARGET: DEFAULT_MAX_NAMES_PER_TARGET,
  CHECK_NAME: 'ecs-tasks',
  CHECK_ATTEMPTS: 3,
  HEALTH_NAMESPACE: 'MackerelEcsCollector',
} as const;

const MIB = 1024 * 1024;

/**
 * The default of MAX_INFLIGHT_BYTES: 25% of the function's memory when Lambda states it
 * (AWS_LAMBDA_FUNCTION_MEMORY_SIZE, in MB, which Lambda means as MiB: 1,024 gives 256 MiB), otherwise
 * 256 MiB. A quarter, because a body costs about twice its bytes at its peak (the received chunks, then
 * the decoded string) and the process needs about 170 MiB besides (Node, the AWS SDK, the pipeline); the
 * rest is headroom. A value Lambda would never set (not a whole number of MB from 128) is ignored.
 */
export function defaultMaxInflightBytes(functionMemoryMb: string | undefined): number {
  const mb = Number(functionMemoryMb?.trim());
  if (functionMemoryMb === undefined || !Number.isSafeInteger(mb) || mb < 128) return DEFAULTS.MAX_INFLIGHT_BYTES;
  return Math.floor(mb * MIB * DEFAULTS.MAX_INFLIGHT_SHARE_OF_MEMORY);
}

const trimmed = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const intIn = (name: string, min: number, max: number, def: number) =>
  trimmed.transform((v, ctx) => {
    if (v === undefined) return def;
    const n = Number(v);
    if (!/^\d+$/.test(v) || !Number.isSafeInteger(n) || n < min || n > max) {
      ctx.addIssue({ code: 'custom', message: `${name}: expected an integer from ${min} to ${max}, got "${v}"` });
      return z.NEVER;
    }
    return n;
  });

const oneOf = <T extends string>(name: string, values: readonly T[], def: T) =>
  trimmed.transform((v, ctx) => {
    if (v === undefined) return def;
    if (!(values as readonly string[]).includes(v)) {
      ctx.addIssue({ code: 'custom', message: `${name}: expected one of ${values.join(', ')}, got "${v}"` });
      return z.NEVER;
    }
    return v as T;
  });

const bool = (name: string) =>
  trimmed.transform((v, ctx) => {
    if (v === undefined) return false;
    if (/^(1|true|yes|on)$/i.test(v)) return true;
    if (/^(0|false|no|off)$/i.test(v)) return false;
    ctx.addIssue({ code: 'custom', message: `${name}: expected true or false, got "${v}"` });
    return z.NEVER;
  });

const schema = z.object({
  ECS_CLUSTERS: trimmed.transform((v, ctx) => {
    const list = (v ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
    if (list.length === 0) {
      ctx.addIssue({ code: 'custom', message: 'ECS_CLUSTERS: required, a comma-separated list of cluster names or ARNs' });
      return z.NEVER;
    }
    return list;
  }),
  SCRAPE_MODE: oneOf<ScrapeMode>('SCRAPE_MODE', SCRAPE_MODES, 'direct'),
  SSM_OUTPUT_BUCKET: trimmed.transform((v, ctx) => {
    // S3 bucket naming rules: 3-63 characters of lower-case letters, digits, dots and hyphens.
    if (v !== undefined && !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(v)) {
      ctx.addIssue({ code: 'custom', message: `SSM_OUTPUT_BUCKET: expected an S3 bucket name, got "${v}"` });
      return z.NEVER;
    }
    return v;
  }),
  MACKEREL_API_KEY: trimmed,
  MACKEREL_API_KEY_PARAMETER: trimmed,
  MACKEREL_API_BASE: trimmed.transform((v, ctx) => {
    const base = v ?? DEFAULTS.MACKEREL_API_BASE;
    if (!/^https?:\/\/[^\s/]+/.test(base)) {
      ctx.addIssue({ code: 'custom', message: `MACKEREL_API_BASE: expected an http(s) URL, got "${base}"` });
      return z.NEVER;
    }
    return base.replace(/\/+$/, '');
  }),
  TARGET_RULES: trimmed.transform((v, ctx) => {
    if (v === undefined) return [];
    const parsed = parseTargetRules(v);
    if (!parsed.ok) {
      // parseTargetRules' messages already name TARGET_RULES (or TARGET_RULES[i]).
      for (const p of parsed.error) ctx.addIssue({ code: 'custom', message: p });
      return z.NEVER;
    }
    return parsed.value;
  }),
  METRIC_KEY: oneOf<MetricKeyMode>('METRIC_KEY', ['task', 'port', 'slot'], 'task'),
  SCRAPE_TIMEOUT_MS: intIn('SCRAPE_TIMEOUT_MS', 50, 60_000, DEFAULTS.SCRAPE_TIMEOUT_MS),
  SCRAPE_CONCURRENCY: intIn('SCRAPE_CONCURRENCY', 1, 1024, DEFAULTS.SCRAPE_CONCURRENCY),
  MAX_BODY_BYTES: intIn('MAX_BODY_BYTES', 1024, 64 * 1024 * 1024, DEFAULTS.MAX_BODY_BYTES),
  // Unset: derived from AWS_LAMBDA_FUNCTION_MEMORY_SIZE in loadConfig (defaultMaxInflightBytes).
  MAX_INFLIGHT_BYTES: trimmed.transform((v, ctx) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!/^\d+$/.test(v) || !Number.isSafeInteger(n) || n < MIB || n > 64 * 1024 * MIB) {
      ctx.addIssue({ code: 'custom', message: `MAX_INFLIGHT_BYTES: expected an integer from ${MIB} (1 MiB) to ${64 * 1024 * MIB} (64 GiB), got "${v}"` });
      return z.NEVER;
    }
    return n;
  }),
  MAX_NAMES_PER_TARGET: intIn('MAX_NAMES_PER_TARGET', MIN_MAX_NAMES, MAX_MAX_NAMES, DEFAULTS.MAX_NAMES_PER_TARGET),
  // Set by Lambda, read only for the default above.
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: z.string().optional(),
  DRY_RUN: bool('DRY_RUN'),
  ALLOWED_CIDRS: trimmed.transform((v, ctx) => {
    const parsed = parseCidrs(v ?? DEFAULT_ALLOWED_CIDRS);
    if (!parsed.ok) {
      ctx.addIssue({ code: 'custom', message: `ALLOWED_CIDRS: ${parsed.error}` });
      return z.NEVER;
    }
    return parsed.value;
  }),
  LOG_LEVEL: oneOf<LogLevel>('LOG_LEVEL', ['debug', 'info', 'warn', 'error'], 'info'),
  MACKEREL_SERVICE: trimmed.transform((v, ctx) => {
    // Mackerel service names: 2-63 characters of [A-Za-z0-9_-].
    if (v !== undefined && !/^[A-Za-z0-9_-]{2,63}$/.test(v)) {
      ctx.addIssue({ code: 'custom', message: `MACKEREL_SERVICE: expected a Mackerel service name ([A-Za-z0-9_-], 2-63 characters), got "${v}"` });
      return z.NEVER;
    }
    return v;
  }),
  DASHBOARDS: oneOf<'off' | 'hourly'>('DASHBOARDS', ['off', 'hourly'], 'off'),
  CHECKS: oneOf<'on' | 'off'>('CHECKS', ['on', 'off'], 'on'),
  CHECK_NAME: trimmed.transform((v, ctx) => {
    const name = v ?? DEFAULTS.CHECK_NAME;
    if (!/^[A-Za-z0-9._-]{1,100}$/.test(name)) {
      ctx.addIssue({ code: 'custom', message: `CHECK_NAME: expected 1-100 of A-Z a-z 0-9 . _ -, got "${name}"` });
      return z.NEVER;
    }
    return name;
  }),
  CHECK_ATTEMPTS: intIn('CHECK_ATTEMPTS', 1, 10, DEFAULTS.CHECK_ATTEMPTS),
  CHECK_FAILURE_STATUS: oneOf<'CRITICAL' | 'WARNING'>('CHECK_FAILURE_STATUS', ['CRITICAL', 'WARNING'], 'CRITICAL'),
  MONITORS: oneOf<'off' | 'on'>('MONITORS', ['off', 'on'], 'off'),
  HEALTH_NAMESPACE: trimmed.transform((v, ctx) => {
    const ns = v ?? DEFAULTS.HEALTH_NAMESPACE;
    // CloudWatch namespaces: 1-255 of letters, digits, . - _ / # : and space, not starting with "AWS/".
    if (!/^[A-Za-z0-9.\-_/#: ]{1,255}$/.test(ns) || ns.startsWith('AWS/')) {
      ctx.addIssue({ code: 'custom', message: `HEALTH_NAMESPACE: expected a CloudWatch namespace (1-255 of A-Z a-z 0-9 . - _ / # : space, not AWS/…), got "${ns}"` });
      return z.NEVER;
    }
    return ns;
  }),
});

/**
 * Parses the environment once. Every problem is reported (variable, expected form, value received; never the
 * API key). `overrides` lets the CLI's flags win over the environment (e.g. --dry-run).
 */
export function loadConfig(
  env: Readonly<Record<string, string | undefined>>,
  overrides: { dryRun?: boolean } = {},
): Result<Config, ConfigError> {
  const parsed = schema.safeParse(env);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => i.message);
  const dryRun = overrides.dryRun ?? (parsed.success ? parsed.data.DRY_RUN : false);
  const hasKey = [env.MACKEREL_API_KEY, env.MACKEREL_API_KEY_PARAMETER].some((v) => v !== undefined && v.trim() !== '');
  if (!hasKey && !dryRun) {
    problems.push(
      'MACKEREL_API_KEY or MACKEREL_API_KEY_PARAMETER: one is required (the key itself, or the name of an SSM SecureString parameter holding it)',
    );
  }
  if (parsed.success && parsed.data.MONITORS === 'on' && parsed.data.MACKEREL_SERVICE === undefined) {
    problems.push('MONITORS=on: needs MACKEREL_SERVICE (the monitors watch the ecs-collector.<cluster>.* service metrics posted there)');
  }
  if (!parsed.success || problems.length > 0) return err(new ConfigError(problems));
  const e = parsed.data;
  return ok(
    Object.freeze({
      clusters: Object.freeze(e.ECS_CLUSTERS),
      scrapeMode: e.SCRAPE_MODE,
      ssmOutputBucket: e.SSM_OUTPUT_BUCKET,
      mackerelApiKey: e.MACKEREL_API_KEY,
      mackerelApiKeyParameter: e.MACKEREL_API_KEY_PARAMETER,
      mackerelApiBase: e.MACKEREL_API_BASE,
      targetRules: Object.freeze(e.TARGET_RULES),
      metricKey: e.METRIC_KEY,
      scrapeTimeoutMs: e.SCRAPE_TIMEOUT_MS,
      scrapeConcurrency: e.SCRAPE_CONCURRENCY,
      maxBodyBytes: e.MAX_BODY_BYTES,
      maxInflightBytes: e.MAX_INFLIGHT_BYTES ?? defaultMaxInflightBytes(e.AWS_LAMBDA_FUNCTION_MEMORY_SIZE),
      maxNamesPerTarget: e.MAX_NAMES_PER_TARGET,
      dryRun,
      allowedCidrs: Object.freeze(e.ALLOWED_CIDRS),
      logLevel: e.LOG_LEVEL,
      mackerelService: e.MACKEREL_SERVICE,
      dashboards: e.DASHBOARDS,
      checks: e.CHECKS === 'on',
      checkName: e.CHECK_NAME,
      checkAttempts: e.CHECK_ATTEMPTS,
      checkFailureStatus: e.CHECK_FAILURE_STATUS,
      monitors: e.MONITORS,
      healthNamespace: e.HEALTH_NAMESPACE,
    }),
  );
}
