import type { EventBridgeEvent } from 'aws-lambda';
import { loadConfig } from '../src/config/config';
import { lambdaHandler } from '../src/lambda/handlerKit';
import { runRefreshEvent } from '../src/lambda/refreshEvent';

// Validated once per container; an invalid config fails every invocation with the same clear message.
const config = loadConfig(process.env);

/** EventBridge `ECS Task State Change` (RUNNING/STOPPED): picks a new task up at once, retires a stopped one. */
export const handler = lambdaHandler(config, async (event: EventBridgeEvent<'ECS Task State Change', unknown>, context) => {
  const summary = await runRefreshEvent(config, event, context);
  return { action: summary.action, targets: summary.targets, posted: summary.posted, failed: summary.failed.length };
});
