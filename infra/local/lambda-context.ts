/** The Lambda `Context` of one local invocation. */
import type { Context } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { INTEGRATION_TIMEOUT_MS } from './limits.js';

export function buildContext(functionName: string, options: { awsRequestId?: string; timeoutMs?: number; region?: string } = {}): Context {
  const deadline = Date.now() + (options.timeoutMs ?? INTEGRATION_TIMEOUT_MS);
  const region = options.region ?? process.env.AWS_REGION ?? 'us-east-1';
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: options.awsRequestId ?? randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}
