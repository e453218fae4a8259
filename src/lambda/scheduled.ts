import type { Config } from '../config/config';
import type { ConfigError } from '../errors';
import { createLogger, type Logger } from '../log';
import { collect, summaryLogFields, summaryOfError, type CollectorDeps, type CycleSummary } from '../pipeline/collect';
import type { Result } from '../result';
import { getCollectorDeps } from '../runtime';
import { emitHealthMetrics } from '../health/emf';
import { describeError } from '../errors';

/** Time kept back from Lambda's deadline so the summary is always logged. */
export const DEADLINE_MARGIN_MS = 3000;

/** The parts of the Lambda context the cycle uses. */
export interface InvocationContext {
  getRemainingTimeInMillis(): number;
  awsRequestId?: string;
  /** Set by @middy/ssm when MACKEREL_API_KEY_PARAMETER is configured. */
  mackerelApiKey?: unknown;
}

/** An AbortSignal that fires DEADLINE_MARGIN_MS before the invocation's deadline. */
export function deadlineSignal(context: Pick<InvocationContext, 'getRemainingTimeInMillis'>): AbortSignal {
  return AbortSignal.timeout(Math.max(1000, context.getRemainingTimeInMillis() - DEADLINE_MARGIN_MS));
}

/**
 * One scheduled cycle: validate config (already parsed once at module load), pick the API key from the
 * environment or from SSM (through middy), run the pipeline, log the summary. Critical errors propagate so
 * the invocation is marked failed.
 */
export async function runScheduledCycle(
  config: Result<Config, ConfigError>,
  context: InvocationContext,
  logger: Logger = createLogger(),
): Promise<CycleSummary> {
  const { cfg, deps } = invocationSetup(config, context, logger);
  let summary: CycleSummary;
  try {
    summary = await collect(cfg, deps, deadlineSignal(context));
  } catch (e) {
    // A critical error still ends with the cycle's summary (`aborted` says why), then fails the invocation.
    const partial = summaryOfError(e);
    if (partial) {
      deps.logger.error('cycle summary', summaryLogFields(partial));
      emitHealth(cfg, partial, deps);
    }
    throw e;
  }
  (summary.aborted ? deps.logger.warn : deps.logger.info).call(deps.logger, 'cycle summary', summaryLogFields(summary));
  emitHealth(cfg, summary, deps);
  return summary;
}

/**
 * The cycle's health as CloudWatch EMF lines on stdout (Lambda ships stdout to CloudWatch Logs, which extracts the
 * metrics the alarms in serverless.yml watch). Not in a dry run: its figures describe nothing that happened.
 */
function emitHealth(cfg: Config, summary: CycleSummary, deps: Pick<CollectorDeps, 'logger'>): void {
  if (cfg.dryRun) return;
  try {
    emitHealthMetrics(summary, { namespace: cfg.healthNamespace, logger: deps.logger });
  } catch (e) {
    // Metrics about the cycle must never fail the cycle.
    deps.logger.warn('health metrics not emitted', { reason: describeError(e) });
  }
}

/**
 * What every invocation starts with: the validated config (or the logged, thrown ConfigError), the API key from
 * SSM (set on the context by @middy/ssm) or the environment, a logger carrying the request id, and the
 * warm container's dependencies.
 */
export function invocationSetup(
  config: Result<Config, ConfigError>,
  context: InvocationContext,
  logger: Logger,
): { cfg: Config; deps: CollectorDeps } {
  if (!config.ok) {
    logger.error('invalid configuration', { problems: config.error.problems });
    throw config.error;
  }
  const cfg = config.value;
  const apiKey = typeof context.mackerelApiKey === 'string' ? context.mackerelApiKey : cfg.mackerelApiKey;
  const log = createLogger({ level: cfg.logLevel, base: context.awsRequestId ? { requestId: context.awsRequestId } : {} });
  return { cfg, deps: getCollectorDeps(cfg, apiKey, log) };
}
