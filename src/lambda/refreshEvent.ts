import type { Config } from '../config/config';
import type { ConfigError } from '../errors';
import { createLogger, type Logger } from '../log';
import { refresh, type RefreshSummary } from '../pipeline/refresh';
import type { Result } from '../result';
import { deadlineSignal, invocationSetup, type InvocationContext } from './scheduled';

/**
 * One ECS Task State Change event: same configuration, clients and warm state as the scheduled function (when
 * both run in one container they share caches; as two functions each keeps its own). An event that is not ours
 * is ignored, never an error: EventBridge retrying it would not help. Critical errors propagate.
 */
export async function runRefreshEvent(
  config: Result<Config, ConfigError>,
  event: unknown,
  context: InvocationContext,
  logger: Logger = createLogger(),
): Promise<RefreshSummary> {
  const { cfg, deps } = invocationSetup(config, context, logger);
  return refresh(cfg, deps, event, deadlineSignal(context));
}
