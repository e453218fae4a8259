import type { Context } from 'aws-lambda';

/**
 * A minimal Lambda context for a scheduled invocation: the fields the runtime passes (names as in the Node.js
 * runtime's context object) and a clock counting down from `timeoutMs`.
 */
export function lambdaContext(timeoutMs = 60_000, requestId = 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef'): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'mackerel-ecs-collector-prod-collect',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:111122223333:function:mackerel-ecs-collector-prod-collect',
    memoryLimitInMB: '256',
    awsRequestId: requestId,
    logGroupName: '/aws/lambda/mackerel-ecs-collector-prod-collect',
    logStreamName: '2026/01/01/[$LATEST]0123456789abcdef0123456789abcdef',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
