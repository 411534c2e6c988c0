/**
 * The benchmark's runtime: one DynamoDB Local (in memory), the real local server in this process
 * (so the SDK middleware counter in shared/store/client.ts sees every request), and two ways to
 * call a route: in-process (the handler invoked with the payload-2.0 event buildEvent makes) and
 * over HTTP through the local server.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { startDynamoDbLocal } from '../../infra/local/dynamodb-local.js';
import type { DynamoDbLocal } from '../../infra/local/dynamodb-local.js';
import { buildEvent, resultToHttp } from '../../infra/local/payload-codec.js';
import { buildContext } from '../../infra/local/lambda-context.js';
import { compileRoutes, matchRoute } from '../../infra/local/route-matching.js';
import type { ApiHandler } from '../../infra/local/gateway.js';
import { loadFunction, startLocalServer } from '../../infra/local/server.js';
import type { LocalServer } from '../../infra/local/server.js';
import { signLocalToken } from '../../infra/local/token.js';
import { gatewayRoutes } from '../../infra/routes.js';
import type { HttpMethod } from '../../infra/routes.js';
import { resetUsage, usage } from '../../shared/store/client.js';
import { LoopbackClient } from './http-client.js';

export interface BenchRequest {
  method: HttpMethod;
  /** Path plus optional query string. */
  path: string;
  token?: string;
  /** Objects are sent as JSON. */
  body?: string | object;
  headers?: Record<string, string>;
}

export interface BenchResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /** Handler time (in-process) or client round trip (HTTP), in ms. */
  ms: number;
}

export interface Cost {
  roundTrips: number;
  /** Of them, the ones the request waited for one after another (shared/store/client.ts). */
  sequential: number;
  rcu: number;
  wcu: number;
  byCommand: Record<string, number>;
}

export type Mode = 'in-process' | 'http';

/** Commands that accept ReturnConsumedCapacity (client-dynamodb names, as the middleware sees them). */
const CAPACITY_COMMANDS = new Set([
  'GetItemCommand',
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'QueryCommand',
  'ScanCommand',
  'BatchGetItemCommand',
  'BatchWriteItemCommand',
  'TransactGetItemsCommand',
  'TransactWriteItemsCommand',
]);

export class Bench {
  private readonly compiled = compileRoutes(gatewayRoutes);
  private readonly handlers = new Map<string, ApiHandler>();
  private readonly client: LoopbackClient;
  /** When true, every store request asks DynamoDB for its consumed capacity. */
  askCapacity = false;
  /** Per command: how often capacity was asked for, and how often DynamoDB reported some. */
  readonly capacitySeen = new Map<string, { asked: number; reported: number; sample?: unknown }>();

  private constructor(
    readonly dynamoLocal: DynamoDbLocal,
    readonly server: LocalServer,
  ) {
    this.client = new LoopbackClient(server.url);
  }

  static async start(): Promise<Bench> {
    const dynamoLocal = await startDynamoDbLocal({ inMemory: true });
    try {
      const server = await startLocalServer({
        port: 0,
        dynamoEndpoint: dynamoLocal.endpoint,
        registryTable: 'bench-registry',
        auditTable: 'bench-audit',
        testHooks: false,
        sweepIntervalMs: 0,
        // The audit consumer is a separate Lambda in AWS; polling it here would only add noise.
        streamPolling: false,
        log: () => {},
      });
      const bench = new Bench(dynamoLocal, server);
      bench.installCapacityMiddleware();
      return bench;
    } catch (error) {
      await dynamoLocal.stop();
      throw error;
    }
  }

  async stop(): Promise<void> {
    this.client.close();
    await this.server.stop();
    await this.dynamoLocal.stop();
  }

  get endpoint(): string {
    return this.server.dynamoEndpoint;
  }

  token(username: string): Promise<string> {
    return signLocalToken(username, { ttlSeconds: 6 * 3600 });
  }

  /**
   * Adds ReturnConsumedCapacity=TOTAL to the store's requests while `askCapacity` is set. It goes
   * on the store's own client (the local server's, which shared/store/client.ts counts with), so no service code
   * changes; the existing counter then adds up what DynamoDB reports.
   */
  private installCapacityMiddleware(): void {
    this.server.client.middlewareStack.add(
      (next, context) => async (args) => {
        const command = String(context.commandName);
        if (!this.askCapacity || !CAPACITY_COMMANDS.has(command)) return next(args);
        const input = args.input as { ReturnConsumedCapacity?: string };
        input.ReturnConsumedCapacity ??= 'TOTAL';
        const result = await next(args);
        const seen = this.capacitySeen.get(command) ?? { asked: 0, reported: 0 };
        seen.asked += 1;
        const consumed = (result.output as { ConsumedCapacity?: unknown }).ConsumedCapacity;
        if (consumed !== undefined && !(Array.isArray(consumed) && consumed.length === 0)) {
          seen.reported += 1;
          seen.sample ??= consumed;
        }
        this.capacitySeen.set(command, seen);
        return result;
      },
      { step: 'initialize', name: 'benchReturnConsumedCapacity', priority: 'high' },
    );
  }

  private async handlerFor(name: string): Promise<ApiHandler> {
    let handler = this.handlers.get(name);
    if (!handler) {
      handler = await loadFunction<ApiHandler>(name);
      if (!handler) throw new Error(`functions/${name}.ts not found`);
      this.handlers.set(name, handler);
    }
    return handler;
  }

  /** The payload-2.0 event API Gateway would send for this request, and the route's handler. */
  async prepare(request: BenchRequest): Promise<{ event: APIGatewayProxyEventV2; handler: ApiHandler; name: string }> {
    const queryAt = request.path.indexOf('?');
    const rawPath = queryAt < 0 ? request.path : request.path.slice(0, queryAt);
    const match = matchRoute(this.compiled, request.method, rawPath);
    if (match.kind !== 'matched') throw new Error(`no route for ${request.method} ${rawPath}`);
    const { headers, body } = this.encode(request);
    const rawHeaders = Object.entries({ host: `127.0.0.1:${this.server.port}`, 'user-agent': 'bench', ...headers }).flat();
    const event = buildEvent(
      { method: request.method, url: request.path, rawHeaders, body, sourceIp: '127.0.0.1' },
      match,
      { timeEpoch: Date.now() },
    );
    return { event, handler: await this.handlerFor(match.route.handler), name: match.route.handler };
  }

  private encode(request: BenchRequest): { headers: Record<string, string>; body: Buffer | undefined } {
    const headers: Record<string, string> = { ...(request.headers ?? {}) };
    if (request.token) headers.authorization = `Bearer ${request.token}`;
    let body: Buffer | undefined;
    if (typeof request.body === 'string') body = Buffer.from(request.body);
    else if (request.body !== undefined) {
      body = Buffer.from(JSON.stringify(request.body));
      headers['content-type'] ??= 'application/json';
    }
    return { headers, body };
  }

  /** Invokes the route's handler in this process; `ms` is the handler call alone. */
  async inProcess(request: BenchRequest): Promise<BenchResponse> {
    const { event, handler, name } = await this.prepare(request);
    const context = buildContext(name);
    const started = performance.now();
    const result = await handler(event, context);
    const ms = performance.now() - started;
    const http = resultToHttp(result);
    return { status: http.statusCode, headers: http.headers, body: http.body, ms };
  }

  /** Sends the request to the local server over a kept-alive connection; `ms` is the client round trip. */
  http(request: BenchRequest): Promise<BenchResponse> {
    const { headers, body } = this.encode(request);
    return this.client.send({ method: request.method, path: request.path, headers, body });
  }

  call(mode: Mode, request: BenchRequest): Promise<BenchResponse> {
    return mode === 'http' ? this.http(request) : this.inProcess(request);
  }

  /** Runs one request in-process and returns what the store spent on it. */
  async measure(request: BenchRequest, withCapacity = true): Promise<{ response: BenchResponse; cost: Cost }> {
    this.askCapacity = withCapacity;
    resetUsage();
    try {
      const response = await this.inProcess(request);
      return { response, cost: snapshot() };
    } finally {
      this.askCapacity = false;
    }
  }
}

/** A copy of the store's counters. */
export function snapshot(): Cost {
  return { roundTrips: usage.roundTrips, sequential: usage.sequential, rcu: usage.readCapacity, wcu: usage.writeCapacity, byCommand: { ...usage.byCommand } };
}

export { resetUsage };

export function json<T = any>(response: BenchResponse): T {
  return JSON.parse(response.body.toString('utf8')) as T;
}

/** Throws with the body when a response has an unexpected status. */
export function expectStatus(response: BenchResponse, status: number, what: string): BenchResponse {
  if (response.status !== status) {
    throw new Error(`${what}: expected ${status}, got ${response.status}: ${response.body.toString('utf8').slice(0, 400)}`);
  }
  return response;
}
