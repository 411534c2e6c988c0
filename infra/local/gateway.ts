/**
 * The local API Gateway (HTTP API, payload 2.0): matches a request against the route keys
 * (route-matching.ts), reads its body within API Gateway's limits, builds the event
 * (payload-codec.ts), calls the route's handler with a Lambda context (lambda-context.ts) and
 * writes the result back (http-server.ts), answering what API Gateway answers itself when a limit of
 * limits.ts is hit.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type { HttpMethod } from '../routes.js';
import { buildContext } from './lambda-context.js';
import { GATEWAY_ERRORS, INTEGRATION_TIMEOUT_MS, MAX_INVOCATION_PAYLOAD_BYTES, MAX_REQUEST_BODY_BYTES } from './limits.js';
import { buildEvent, gatewayRequestId, payloadBytes, resultToHttp, type HttpResult } from './payload-codec.js';
import { BodyTooLargeError, readBody, sendGatewayError, sendJson, writeHttpResult } from './http-server.js';
import { compileRoutes, matchRoute, type MatchableRoute } from './route-matching.js';

export type ApiHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<unknown>;

/** A route served by the emulator itself (the local test hooks), never by a Lambda. */
export interface LocalRoute {
  method: HttpMethod;
  path: string;
  handle(body: Buffer, req: IncomingMessage): Promise<{ statusCode: number; body: unknown }>;
}

export interface GatewayOptions {
  /** Route keys and their handlers (infra/routes.ts gatewayRoutes). */
  routes: readonly MatchableRoute[];
  /** The handler of a route's `handler` name; undefined when its file does not exist (→ 501). */
  loadHandler(name: string): Promise<ApiHandler | undefined>;
  localRoutes?: LocalRoute[];
  /** The gateway's "now" for requestContext.timeEpoch (default Date.now). */
  now?: () => number;
  /** The integration timeout, counted from the start of the request. */
  timeoutMs?: number;
  /** Where gateway-level failures are logged (handler crashes, invalid results, limits). */
  log?: (entry: Record<string, unknown>) => void;
}

function clientIp(req: IncomingMessage): string {
  const address = req.socket.remoteAddress ?? '127.0.0.1';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

function defaultLog(entry: Record<string, unknown>): void {
  process.stderr.write(`${JSON.stringify(entry)}\n`);
}

function errorText(error: unknown): string {
  return String((error as Error)?.stack ?? error);
}

/** The request listener of the local API. */
export function createGateway(options: GatewayOptions): RequestListener {
  const compiled = compileRoutes(options.routes);
  const hooks = compileRoutes((options.localRoutes ?? []).map((hook) => ({ method: hook.method, path: hook.path, handler: '', hook })));
  const now = options.now ?? Date.now;
  const log = options.log ?? defaultLog;
  const timeoutMs = options.timeoutMs ?? INTEGRATION_TIMEOUT_MS;

  async function serve(req: IncomingMessage, res: ServerResponse, requestId: string, deadline: number): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = req.url ?? '/';
    const queryAt = url.indexOf('?');
    const rawPath = queryAt < 0 ? url : url.slice(0, queryAt);
    const ids = { 'apigw-requestid': requestId };

    const hook = hooks.length > 0 ? matchRoute(hooks, method, rawPath) : undefined;
    const match = hook?.kind === 'matched' ? hook : matchRoute(compiled, method, rawPath);
    if (match.kind === 'not-found') return sendGatewayError(res, GATEWAY_ERRORS.notFound, ids);

    let body: Buffer;
    try {
      body = await readBody(req, MAX_REQUEST_BODY_BYTES);
    } catch (error) {
      if (!(error instanceof BodyTooLargeError)) throw error;
      return sendGatewayError(res, GATEWAY_ERRORS.tooLarge, { connection: 'close', ...ids });
    }
    if (res.writableEnded) return; // the deadline passed while the body was arriving

    if (hook?.kind === 'matched') {
      const answer = await hook.route.hook.handle(body, req);
      return sendJson(res, answer.statusCode, answer.body);
    }

    const { route } = match;
    let handler: ApiHandler | undefined;
    try {
      handler = await options.loadHandler(route.handler);
    } catch (error) {
      log({ level: 'error', msg: 'could not load handler', handler: route.handler, error: errorText(error) });
      return sendGatewayError(res, GATEWAY_ERRORS.internal, ids);
    }
    if (!handler) {
      const message = `not implemented: functions/${route.handler}.ts does not exist yet`;
      return sendJson(res, 501, { message, route: `${route.method} ${route.path}` }, ids);
    }

    const event = buildEvent(
      { method, url, rawHeaders: req.rawHeaders, body, sourceIp: clientIp(req), protocol: `HTTP/${req.httpVersion}` },
      match,
      { requestId, timeEpoch: now() },
    );
    // Lambda refuses an event over 6 MB (a binary body grows by a third in base64).
    if (payloadBytes(event) > MAX_INVOCATION_PAYLOAD_BYTES) return sendGatewayError(res, GATEWAY_ERRORS.tooLarge, ids);

    const context = buildContext(route.handler, { timeoutMs: Math.max(0, deadline - Date.now()) });
    let result: unknown;
    try {
      result = await handler(event, context);
    } catch (error) {
      log({ level: 'error', msg: 'handler failed', handler: route.handler, requestId: context.awsRequestId, error: errorText(error) });
      return sendGatewayError(res, GATEWAY_ERRORS.internal, ids);
    }
    if (res.writableEnded) return; // answered 503 at the deadline; Lambda would have been stopped
    // Lambda fails a response over 6 MB (Function.ResponseSizeTooLarge); the gateway answers 500.
    const size = payloadBytes(result);
    if (size > MAX_INVOCATION_PAYLOAD_BYTES) {
      log({ level: 'error', msg: 'Function.ResponseSizeTooLarge', handler: route.handler, bytes: size, limit: MAX_INVOCATION_PAYLOAD_BYTES });
      return sendGatewayError(res, GATEWAY_ERRORS.internal, ids);
    }
    let http: HttpResult;
    try {
      http = resultToHttp(result);
    } catch (error) {
      log({ level: 'error', msg: 'invalid handler result', handler: route.handler, error: String((error as Error).message) });
      return sendGatewayError(res, GATEWAY_ERRORS.internal, ids);
    }
    writeHttpResult(res, method, http, requestId);
  }

  return (req, res) => {
    const requestId = gatewayRequestId();
    const deadline = Date.now() + timeoutMs;
    // The integration timeout runs from the start of the request: a body that never finishes
    // arriving is cut off too, and its socket closed.
    const timer = setTimeout(() => {
      if (res.headersSent) return;
      log({ level: 'error', msg: 'integration timed out', method: req.method, url: req.url, timeoutMs });
      res.on('finish', () => req.socket.destroy());
      sendGatewayError(res, GATEWAY_ERRORS.unavailable, { connection: 'close', 'apigw-requestid': requestId });
    }, timeoutMs);
    serve(req, res, requestId, deadline)
      .catch((error) => {
        log({ level: 'error', msg: 'gateway failure', error: errorText(error) });
        sendGatewayError(res, GATEWAY_ERRORS.internal);
      })
      .finally(() => clearTimeout(timer));
  };
}
