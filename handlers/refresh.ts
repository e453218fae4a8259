import middy from '@middy/core';
import ssm from '@middy/ssm';
import type { Context, EventBridgeEvent } from 'aws-lambda';
import { loadConfig } from '../src/config/config';
import { runRefreshEvent } from '../src/lambda/refreshEvent';

// Validated once per container; an invalid config fails every invocation with the same clear message.
const config = loadConfig(process.env);
const keyParameter = config.ok ? config.value.mackerelApiKeyParameter : undefined;

const base = middy<EventBridgeEvent<'ECS Task State Change', unknown>, unknown, Error, Context>();
const withKey = keyParameter
  ? base.use(ssm({ fetchData: { mackerelApiKey: keyParameter }, setToContext: true, cacheExpiry: 15 * 60 * 1000 }))
  : base;

/** EventBridge `ECS Task State Change` (RUNNING/STOPPED): picks a new task up at once, retires a stopped one. */
export const handler = withKey.handler(async (event, context) => {
  const summary = await runRefreshEvent(config, event, context);
  return { action: summary.action, targets: summary.targets, posted: summary.posted, failed: summary.failed.length };
});
