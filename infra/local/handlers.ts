/**
 * How the local runtime gives handlers what Lambda gives them: their environment (as the CDK stack
 * sets it) and their code (`functions/<name>.ts`, imported into this process). The one place to
 * adapt when handlers get their dependencies another way.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { readConfig } from '../../shared/config.js';
import { createDeps, type Deps } from '../../shared/deps.js';
import { provideDeps, providedDeps } from '../../shared/http/runtime.js';
import { createDynamoClient } from '../../shared/store/client.js';
import { withIndexLag } from '../../shared/store/index-lag.js';
import { PROJECT_ROOT } from './dynamodb-local.js';
import type { ApiHandler } from './gateway.js';

export const FUNCTIONS_DIR = join(PROJECT_ROOT, 'functions');

/** Thrown when a route or background function has no handler file yet. */
export class NotImplementedError extends Error {
  constructor(readonly handlerName: string) {
    super(`not implemented: functions/${handlerName}.ts does not exist yet`);
    this.name = 'NotImplementedError';
  }
}

/** Imports a module of the project by path; undefined if the file does not exist. */
async function importIfExists(file: string): Promise<Record<string, unknown> | undefined> {
  if (!existsSync(file)) return undefined;
  return (await import(/* @vite-ignore */ pathToFileURL(file).href)) as Record<string, unknown>;
}

/** The `handler` export of functions/<name>.ts; undefined if the file does not exist. */
export async function loadFunction<T = ApiHandler>(name: string): Promise<T | undefined> {
  const module = await importIfExists(join(FUNCTIONS_DIR, `${name}.ts`));
  if (!module) return undefined;
  if (typeof module.handler !== 'function') throw new Error(`functions/${name}.ts does not export a handler function`);
  return module.handler as T;
}

export interface HandlerEnvironment {
  registryTable: string;
  auditTable: string;
  dynamoEndpoint: string;
  region: string;
  /** Test mode: index queries do not see items written in the last this many ms. */
  indexLagMs?: number;
}

export interface HandlerRuntime {
  /** The dependencies the handlers of this server run with (shared/http/runtime.ts). */
  deps: Deps;
  /** The DynamoDB client under their store. */
  client: DynamoDBDocumentClient;
  /** Hands the process back to what was configured before, unless a later server took over. */
  restore(): void;
}

/**
 * Sets the handlers' environment, as the CDK stack would, and builds the dependencies they run
 * with (what a cold start builds on Lambda). It is process-wide: with two servers in one process,
 * the handlers follow the one started last.
 */
export function applyHandlerEnvironment(settings: HandlerEnvironment): HandlerRuntime {
  const environment: Record<string, string> = {
    TAG_SERVICE_LOCAL: '1',
    REGISTRY_TABLE: settings.registryTable,
    AUDIT_TABLE: settings.auditTable,
    DDB_ENDPOINT: settings.dynamoEndpoint,
    AWS_REGION: settings.region,
    AWS_ENDPOINT_URL_DYNAMODB: settings.dynamoEndpoint,
    AWS_ENDPOINT_URL_DYNAMODB_STREAMS: settings.dynamoEndpoint,
    AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID || 'local',
    AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY || 'local',
  };
  const previous = Object.fromEntries(Object.keys(environment).map((name) => [name, process.env[name]]));
  Object.assign(process.env, environment);
  const config = readConfig();
  const client = createDynamoClient({ region: config.region, endpoint: config.dynamoEndpoint });
  const deps = createDeps(config, { client: settings.indexLagMs ? withIndexLag(client, settings.indexLagMs) : client });
  const previousDeps = providedDeps();
  provideDeps(deps);
  return {
    deps,
    client,
    restore() {
      if (providedDeps() !== deps) return;
      for (const [name, value] of Object.entries(previous)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      provideDeps(previousDeps);
      client.destroy();
    },
  };
}
