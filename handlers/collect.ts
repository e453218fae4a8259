import type { ScheduledEvent } from 'aws-lambda';
import { loadConfig } from '../src/config/config';
import { lambdaHandler } from '../src/lambda/handlerKit';
import { runScheduledCycle } from '../src/lambda/scheduled';

// Validated once per container; an invalid config fails every invocation with the same clear message.
const config = loadConfig(process.env);

/** EventBridge schedule (rate 1 minute): one collection cycle. */
export const handler = lambdaHandler(config, async (_event: ScheduledEvent, context) => {
  const summary = await runScheduledCycle(config, context);
  return { targets: summary.targets, scraped: summary.scraped, posted: summary.posted, failed: summary.failed.length };
});
