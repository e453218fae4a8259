import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { loadConfig, type Config } from './config/config';
import { ConfigError, CriticalError, describeError } from './errors';
import { createLogger, redact } from './log';
import { collect, summaryLogFields, summaryOfError, type CycleSummary } from './pipeline/collect';
import { closeCollectorDeps, getCollectorDeps } from './runtime';
import { discoverTargets } from './pipeline/discoverOnly';
import { refresh } from './pipeline/refresh';
import { syncCollectorMonitors } from './pipeline/monitorsStep';
import { createMonitorClient } from './mackerel/monitorClient';
import { formatSummary, formatTargetTable, formatValues, table } from './cliFormat';
import type { Issue } from './types';

const USAGE = `usage: mackerel-ecs-collector <command> [options]   (<command> --help: this text; --version: the version)

commands:
  collect [--dry-run] [--json]   run one collection cycle (--dry-run posts nothing and prints what it would post)
  discover [--json]              print the resolved scrape targets as a table
  refresh --event FILE           run the refresh path on one EventBridge ECS Task State Change event (- reads stdin)
  dashboards [--dry-run] [--json] create or update one Mackerel dashboard per ECS service (--dry-run: say what would change)
  monitors [--dry-run] [--json]  create or update the collector's own monitors in MACKEREL_SERVICE (stopped reporting, failed ratio)
  demo [--cycles N]              start the local simulated cluster and run the collector against it

options of collect, discover, refresh, dashboards and monitors:
  --deadline DURATION            stop the command after this long (e.g. 50s, 2m, 45000ms; a bare number is seconds; default 50s)

Configuration comes from the environment (see README "Configuration").
exit codes: 0 the cycle ran (even if some targets failed), 2 invalid configuration, 3 critical error (access denied, every cluster missing, Mackerel 401/403), 4 the deadline fired before the command finished (the summary says where), 5 (collect, discover) discovery of at least one cluster failed entirely (ECS unreachable, no Region, a missing cluster among others: the cause is on stderr; the other clusters were collected), 1 unexpected error`;

/**
 * Exit codes, part of the CLI contract. DISCOVERY (5): the command ran, but at least one configured cluster's
 * tasks went unseen (ListTasks failed, or the cluster does not exist while others do). Exit 0 keeps meaning
 * that every configured cluster was seen (single targets may still have failed), and a cron wrapper or CI step
 * sees the blind spot without parsing the summary.
 */
export const EXIT = { OK: 0, UNEXPECTED: 1, CONFIG: 2, CRITICAL: 3, DEADLINE: 4, DISCOVERY: 5 } as const;

/** The default of `--deadline`: a cron-driven run ends before the next minute's run starts. */
export const DEFAULT_CLI_DEADLINE_MS = 50_000;

/** The `--deadline` option every long-running command takes. */
const DEADLINE_OPTION = { deadline: { type: 'string' } } as const;

/** `50s`, `2m`, `45000ms` or a bare number of seconds → milliseconds; a usage error for anything else. */
export function parseDuration(text: string | undefined): number {
  if (text === undefined) return DEFAULT_CLI_DEADLINE_MS;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$/.exec(text);
  const ms = m ? Number(m[1]) * (m[2] === 'ms' ? 1 : m[2] === 'm' ? 60_000 : 1000) : NaN;
  if (!Number.isFinite(ms) || ms < 1 || ms > 24 * 3600 * 1000) throw new UsageError(`--deadline ${JSON.stringify(text)} is not a duration such as 50s, 2m or 45000ms`);
  return Math.round(ms);
}

/** The command's deadline as a signal (a timer that does not keep the process alive). */
function deadlineFrom(text: string | undefined): AbortSignal {
  return AbortSignal.timeout(parseDuration(text));
}

/** Thrown when the deadline stopped a command that has no partial result to print. */
class DeadlineError extends Error {
  override readonly name = 'DeadlineError';
}

function out(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : text + '\n');
}

function configFrom(env: NodeJS.ProcessEnv, dryRun: boolean | undefined): Config {
  const parsed = loadConfig(env, dryRun ? { dryRun: true } : {});
  if (!parsed.ok) throw parsed.error;
  return parsed.value;
}

async function runCollect(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { 'dry-run': { type: 'boolean' }, json: { type: 'boolean' }, ...DEADLINE_OPTION } });
  const signal = deadlineFrom(values.deadline);
  const config = configFrom(process.env, values['dry-run']);
  const logger = createLogger({ level: config.logLevel });
  const deps = getCollectorDeps(config, config.mackerelApiKey, logger);
  let summary: CycleSummary;
  try {
    summary = await collect(config, deps, signal);
  } catch (e) {
    const partial = summaryOfError(e);
    if (partial) logger.error('cycle summary', summaryLogFields(partial));
    throw e;
  }
  (summary.aborted ? logger.warn : logger.info).call(logger, 'cycle summary', summaryLogFields(summary));
  if (values.json) out(JSON.stringify(summary));
  else {
    if (summary.wouldPost) out(formatValues(summary.wouldPost.values));
    out(formatSummary(summary));
  }
  reportDiscoveryFailures(summary.discoveryFailed, summary.failed);
  if (summary.aborted) {
    process.stderr.write(`mackerel-ecs-collector: the cycle stopped early: ${summary.aborted}\n`);
    return EXIT.DEADLINE;
  }
  return summary.discoveryFailed.length > 0 ? EXIT.DISCOVERY : EXIT.OK;
}

/**
 * One readable stderr line per cluster whose discovery failed entirely, with the cause (the cluster's own
 * `discovery` entry: ListTasks' error or "not found"), so the exit code 5 never comes without its reason, whatever
 * the log level and whether or not stdout is JSON.
 */
function reportDiscoveryFailures(clusters: readonly string[], failed: readonly Issue[]): void {
  for (const cluster of clusters) {
    const cause = failed.find((i) => i.stage === 'discovery' && i.target === cluster);
    const why = cause ? `${cause.reason} (${cause.stage}/${cause.kind})` : 'no cause recorded (see the failed entries)';
    // The SDK's own words for an unset Region name no variable: say which one.
    const hint = /region is missing/i.test(why) ? '; set AWS_REGION (or AWS_PROFILE with a region)' : '';
    process.stderr.write(redact(`mackerel-ecs-collector: discovery of cluster ${cluster} failed, its tasks were not seen: ${why}${hint}\n`));
  }
}

async function runDiscover(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean' }, ...DEADLINE_OPTION } });
  const signal = deadlineFrom(values.deadline);
  const config = configFrom(process.env, true);
  const logger = createLogger({ level: config.logLevel });
  const deps = getCollectorDeps(config, undefined, logger);
  const result = await discoverTargets(config, deps, signal).catch((e: unknown) => {
    if (signal.aborted && !(e instanceof CriticalError)) throw new DeadlineError(`discovery did not finish before the deadline (${describeError(signal.reason)})`);
    throw e;
  });
  // targetsByCluster is a Map: spelled out, or JSON.stringify would print it as {}.
  out(values.json ? JSON.stringify({ ...result, targetsByCluster: Object.fromEntries(result.targetsByCluster) }) : formatTargetTable(result));
  reportDiscoveryFailures(result.discoveryFailed, result.failed);
  return result.discoveryFailed.length > 0 ? EXIT.DISCOVERY : EXIT.OK;
}

async function runDashboards(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { 'dry-run': { type: 'boolean' }, json: { type: 'boolean' }, ...DEADLINE_OPTION } });
  const signal = deadlineFrom(values.deadline);
  // One cycle that posts no metrics (dry run) but scrapes, so the dashboards show what the tasks really produce.
  const config = { ...configFrom(process.env, undefined), dryRun: true };
  if (!config.mackerelApiKey) throw new ConfigError(['MACKEREL_API_KEY: the dashboards command needs the key itself (read and write dashboards)']);
  const logger = createLogger({ level: config.logLevel });
  const deps = getCollectorDeps(config, config.mackerelApiKey, logger);
  const summary = await collect(config, deps, signal, { dashboards: values['dry-run'] ? 'dry-run' : 'sync' });
  const outcomes = summary.dashboards ?? [];
  if (values.json) out(JSON.stringify({ dashboards: outcomes }));
  else out(table(['URL PATH', 'ACTION', 'ID', 'ERROR'], outcomes.map((d) => [d.urlPath, d.action, d.id ?? '-', d.error ?? ''])));
  return outcomes.some((d) => d.action === 'failed') ? EXIT.UNEXPECTED : EXIT.OK;
}

/** `monitors`: the collector's own service-metric monitors, without running a cycle. */
async function runMonitors(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { 'dry-run': { type: 'boolean' }, json: { type: 'boolean' }, ...DEADLINE_OPTION } });
  const signal = deadlineFrom(values.deadline);
  const config = configFrom(process.env, undefined);
  const problems: string[] = [];
  if (!config.mackerelApiKey) problems.push('MACKEREL_API_KEY: the monitors command needs the key itself (read and write monitors)');
  if (!config.mackerelService) problems.push('MACKEREL_SERVICE: the monitors watch the ecs-collector.<cluster>.* service metrics posted there; set it');
  if (problems.length > 0 || !config.mackerelApiKey || !config.mackerelService) throw new ConfigError(problems);
  const logger = createLogger({ level: config.logLevel });
  const client = createMonitorClient({ apiKey: config.mackerelApiKey, baseUrl: config.mackerelApiBase, logger });
  const { outcomes } = await syncCollectorMonitors(config.mackerelService, config.clusters, { dryRun: values['dry-run'] ?? false, checkName: config.checkName }, client, signal);
  if (signal.aborted) throw new DeadlineError(`monitors: the deadline fired (${describeError(signal.reason)})`);
  if (values.json) out(JSON.stringify({ monitors: outcomes }));
  else out(table(['NAME', 'ACTION', 'ID', 'ERROR'], outcomes.map((m) => [m.name, m.action, m.id ?? '-', m.error ?? ''])));
  if (outcomes.some((m) => m.action === 'failed' && m.errorKind === 'denied')) return EXIT.CRITICAL;
  return outcomes.some((m) => m.action === 'failed') ? EXIT.UNEXPECTED : EXIT.OK;
}

async function runRefresh(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { event: { type: 'string' }, ...DEADLINE_OPTION } });
  const signal = deadlineFrom(values.deadline);
  if (values.event === undefined) throw new UsageError('refresh needs --event FILE (or --event - for stdin)');
  const text = values.event === '-' ? await readStdin() : await readFile(values.event, 'utf8').catch((e: unknown) => {
    throw new UsageError(`cannot read ${values.event}: ${describeError(e)}`);
  });
  let event: unknown;
  try {
    event = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${values.event === '-' ? 'stdin' : values.event} is not JSON: ${describeError(e)}`);
  }
  const config = configFrom(process.env, undefined);
  const logger = createLogger({ level: config.logLevel });
  const summary = await refresh(config, getCollectorDeps(config, config.mackerelApiKey, logger), event, signal);
  out(JSON.stringify(summary));
  return EXIT.OK;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks).toString('utf8');
}

/** A mistake in the command line itself: exit 2 with the usage. */
class UsageError extends Error {
  override readonly name = 'UsageError';
}

async function runDemo(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { cycles: { type: 'string' } } });
  // Loaded lazily: the simulator (and prom-client, a dev dependency) is only needed for the demo.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { runDemo: demo } = require('../demo/demo') as typeof import('../demo/demo');
  const cycles = values.cycles === undefined ? 3 : Number(values.cycles);
  if (!Number.isInteger(cycles) || cycles < 1 || cycles > 1000) throw new UsageError(`--cycles ${JSON.stringify(values.cycles)} is not a whole number from 1 to 1000`);
  await demo({ cycles, write: out });
  return EXIT.OK;
}

/** The commands that take options (and so `--help`). */
const COMMANDS: ReadonlySet<string> = new Set(['collect', 'discover', 'refresh', 'dashboards', 'monitors', 'demo']);

/** The version in package.json (read at run time: the CLI runs from the repository or an installed package). */
function packageVersion(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pkg = require('../package.json') as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : 'unknown';
}

/** Runs the CLI and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    // `<command> --help` prints the usage instead of failing on an unknown option.
    if (command !== undefined && COMMANDS.has(command) && rest.some((a) => a === '--help' || a === '-h')) {
      out(USAGE);
      return EXIT.OK;
    }
    switch (command) {
      case '--version':
      case '-v':
      case 'version':
        out(packageVersion());
        return EXIT.OK;
      case 'collect':
        return await runCollect(rest);
      case 'discover':
        return await runDiscover(rest);
      case 'refresh':
        return await runRefresh(rest);
      case 'dashboards':
        return await runDashboards(rest);
      case 'monitors':
        return await runMonitors(rest);
      case 'demo':
        return await runDemo(rest);
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        out(USAGE);
        return command === undefined ? EXIT.CONFIG : EXIT.OK;
      default:
        process.stderr.write(`unknown command "${command}"\n\n${USAGE}\n`);
        return EXIT.CONFIG;
    }
  } catch (e) {
    const message = redact(describeError(e));
    if (e instanceof ConfigError) {
      process.stderr.write(`mackerel-ecs-collector: ${message}\n`);
      return EXIT.CONFIG;
    }
    if (e instanceof CriticalError) {
      process.stderr.write(`mackerel-ecs-collector: critical: ${message}\n`);
      return EXIT.CRITICAL;
    }
    if (e instanceof DeadlineError) {
      process.stderr.write(`mackerel-ecs-collector: ${message}\n`);
      return EXIT.DEADLINE;
    }
    const usage = e instanceof UsageError || (e instanceof TypeError && /^ERR_PARSE_ARGS/.test(String((e as { code?: string }).code ?? '')));
    if (usage) {
      process.stderr.write(`mackerel-ecs-collector: ${message}\n\n${USAGE}\n`);
      return EXIT.CONFIG;
    }
    process.stderr.write(`mackerel-ecs-collector: unexpected error: ${message}\n`);
    return EXIT.UNEXPECTED;
  } finally {
    closeCollectorDeps();
  }
}

/**
 * The process entry point (bin/mackerel-ecs-collector.cjs calls it, however the bin was reached: directly, through
 * node_modules/.bin or npx): runs `main` on the process arguments and sets the exit code.
 */
export function run(argv: readonly string[] = process.argv.slice(2)): void {
  main([...argv]).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`mackerel-ecs-collector: ${redact(describeError(e))}\n`);
      process.exitCode = EXIT.UNEXPECTED;
    },
  );
}
