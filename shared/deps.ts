/**
 * The dependencies of the functions that use the store, built once per cold start from the
 * configuration: one DynamoDB client, the store bound to it and the service's tables, the clock
 * and the token authenticator. Handlers and domain functions receive them; nothing else holds them.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { clock } from './clock.js';
import { readConfig } from './config.js';
import type { Config } from './config.js';
import { createAuthenticator } from './http/auth.js';
import { providedDeps } from './http/runtime.js';
import type { Deps } from './http/runtime.js';
import { createDynamoClient } from './store/client.js';
import { createStore } from './store/index.js';

export type { Deps };

export interface DepsOptions {
  /** A client to use instead of one built from the configuration (the local runtime, tests). */
  client?: DynamoDBDocumentClient;
}

export function createDeps(config: Config, options: DepsOptions = {}): Deps {
  const client = options.client ?? createDynamoClient({ region: config.region, endpoint: config.dynamoEndpoint });
  return {
    config,
    clock,
    authenticate: createAuthenticator(config),
    store: createStore({ client, tables: { registry: config.registryTable, audit: config.auditTable } }),
  };
}

let coldStart: Deps | undefined;

/** This process's dependencies: the local runtime's, or built on first use (a Lambda cold start). */
export function serviceDeps(): Deps {
  return providedDeps() ?? (coldStart ??= createDeps(readConfig()));
}
