/**
 * vitest globalSetup: one DynamoDB Local (in memory) for the whole run, or the DynamoDB at
 * DDB_ENDPOINT when set. Test files get the endpoint with `inject('ddbEndpoint')` and create their
 * own randomly named tables (test/support/local-server.ts does this), so files stay isolated.
 *
 * No AWS SDK import here: it would add seconds to vitest's start-up (toolchain.md §3).
 */
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../../infra/local/dynamodb-local.js';

declare module 'vitest' {
  export interface ProvidedContext {
    ddbEndpoint: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = process.env.DDB_ENDPOINT;
  if (external) {
    project.provide('ddbEndpoint', external);
    return async () => {};
  }
  const dynamo = await startDynamoDbLocal({ inMemory: true });
  project.provide('ddbEndpoint', dynamo.endpoint);
  return async () => {
    await dynamo.stop();
  };
}
