import middy from '@middy/core';
import ssm from '@middy/ssm';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { loadConfig } from '../src/config/config';
import { runScheduledCycle } from '../src/lambda/scheduled';

// Validated once per container; an invalid config fails every invocation with the same clear message.
const config = loadConfig(process.env);
const keyParameter = config.ok ? config.value.mackerelApiKeyParameter : undefined;

const base = middy<ScheduledEvent, unknown, Error, Context>();
const withKey = keyParameter
  ? base.use(ssm({ fetchData: { mackerelApiKey: keyParameter }, setToContext: true, cacheExpiry: 15 * 60 * 1000 }))
  : base;

/** EventBridge schedule (rate 1 minute): one collection cycle. */
export const handler = withKey.handler(async (_event, context) => {
  const summary = await runScheduledCycle(config, context);
  return { targets: summary.targets, scraped: summary.scraped, posted: summary.posted, failed: summary.failed.length };
});
