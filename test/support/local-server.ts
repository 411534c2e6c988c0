/**
 * The local runtime for tests: `startTestServer()` starts the real server (gateway, poller, hooks)
 * on a random port against the run's shared DynamoDB (globalSetup), with tables of its own, so
 * test files never see each other's data.
 *
 *   const server = await startTestServer();
 *   const alice = await server.tokenFor('alice');
 *   const { status, body } = await server.api('GET', '/api/v1/repository/alice/app/tag/', { token: alice });
 *   await server.stop();
 */
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { startLocalServer, type LocalServer, type LocalServerOptions } from '../../infra/local/server.js';
import { dropTables } from '../../infra/local/tables.js';
import { signLocalToken } from '../../infra/local/token.js';
import { openApiMismatch } from './openapi-checker.js';

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  /** Parsed JSON when the response is JSON, else the text ('' when empty). */
  body: T;
  /** The raw body text. */
  text: string;
}

export interface ApiOptions {
  /** Bearer token (see tokenFor). */
  token?: string;
  /** Objects and arrays are sent as JSON; strings and bytes as they are. */
  body?: unknown;
  headers?: Record<string, string>;
}

export interface TestServer extends LocalServer {
  api<T = any>(method: string, path: string, options?: ApiOptions): Promise<ApiResponse<T>>;
  /** A local HS256 token for `username` (valid for a day), optionally narrowed by `scope`. */
  tokenFor(username: string, scope?: string): Promise<string>;
}

/** Table names unique to one call, e.g. `registry-test-3fa9c2d1`. */
export function uniqueTableNames(): { registryTable: string; auditTable: string } {
  const suffix = randomBytes(4).toString('hex');
  return { registryTable: `registry-test-${suffix}`, auditTable: `audit-test-${suffix}` };
}

export async function startTestServer(options: Partial<LocalServerOptions> = {}): Promise<TestServer> {
  const tables = uniqueTableNames();
  const server = await startLocalServer({
    port: 0,
    dynamoEndpoint: inject('ddbEndpoint'),
    testHooks: true,
    sweepIntervalMs: 0,
    ...tables,
    ...options,
  });

  async function api<T = any>(method: string, path: string, apiOptions: ApiOptions = {}): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...(apiOptions.headers ?? {}) };
    const lower = new Set(Object.keys(headers).map((name) => name.toLowerCase()));
    if (apiOptions.token) headers.authorization = `Bearer ${apiOptions.token}`;
    let body: string | Uint8Array | undefined;
    const raw = apiOptions.body;
    if (typeof raw === 'string' || raw instanceof Uint8Array) {
      body = raw;
    } else if (raw !== undefined) {
      body = JSON.stringify(raw);
      if (!lower.has('content-type')) headers['content-type'] = 'application/json';
    }
    const response = await fetch(`${server.url}${path}`, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    if (text && /json/i.test(response.headers.get('content-type') ?? '')) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    // Every response must agree with docs/openapi.json, so the document cannot drift from the code.
    const mismatch = openApiMismatch(method, path, response.status, response.headers.get('content-type'), parsed);
    if (mismatch) throw new Error(`OpenAPI: ${mismatch}`);
    return { status: response.status, headers: response.headers, body: parsed as T, text };
  }

  const stop = async () => {
    await server.stop();
    // Leave the shared DynamoDB Local lean for the other files.
    await dropTables(server.dynamoEndpoint, server);
  };

  return {
    ...server,
    stop,
    api,
    tokenFor: (username, scope) => signLocalToken(username, { scope, ttlSeconds: 86_400 }),
  };
}
