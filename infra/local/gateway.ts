/**
 * A small API Gateway HTTP API (payload format 2.0) emulator on node:http: it matches requests
 * against infra/routes.ts, builds the event a Lambda proxy integration would receive, calls the
 * route's handler and writes the handler's result back the way API Gateway does.
 *
 * The event builder, the route matcher and the result mapping are pure functions so that handler
 * tests can build real events without a server.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { randomBytes, randomUUID } from 'node:crypto';
import type { HttpMethod, RouteDefinition } from '../routes.js';

/** API Gateway refuses request payloads over 10 MiB. */
export const MAX_REQUEST_BODY_BYTES = 10 * 1024 * 1024;
/** API Gateway's maximum integration timeout. */
export const INTEGRATION_TIMEOUT_MS = 30_000;

export type ApiHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<unknown>;

/** What the emulator knows about an incoming request (all raw, as received). */
export interface RawRequest {
  method: string;
  /** Request target as received: path plus optional `?query`. */
  url: string;
  /** Alternating names and values, as node's `IncomingMessage.rawHeaders`. */
  rawHeaders: string[];
  body?: Buffer;
  sourceIp?: string;
  /** e.g. 'HTTP/1.1' */
  protocol?: string;
}

export interface EventMeta {
  requestId?: string;
  /** Epoch ms of the request (the gateway's view of "now"). */
  timeEpoch?: number;
  stage?: string;
  apiId?: string;
  accountId?: string;
}

export type RouteMatch =
  | { kind: 'matched'; route: RouteDefinition; pathParameters: Record<string, string> }
  | { kind: 'method-not-allowed'; allow: HttpMethod[] }
  | { kind: 'not-found' };

interface CompiledRoute {
  route: RouteDefinition;
  names: string[];
  exact: RegExp;
  /** The same path with the trailing slash toggled. */
  alternate: RegExp;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function pathPattern(path: string): { source: string; names: string[] } {
  const names: string[] = [];
  const source = path
    .split('/')
    .map((segment) => {
      const greedy = /^\{([A-Za-z0-9_]+)\+\}$/.exec(segment);
      if (greedy) {
        names.push(greedy[1]);
        return '(.+)';
      }
      const param = /^\{([A-Za-z0-9_]+)\}$/.exec(segment);
      if (param) {
        names.push(param[1]);
        return '([^/]+)';
      }
      return escapeRegExp(segment);
    })
    .join('/');
  return { source, names };
}

/** Precompiles the route table (done once per gateway; matchRoute also accepts plain routes). */
export function compileRoutes(routes: readonly RouteDefinition[]): CompiledRoute[] {
  return routes.map((route) => {
    const { source, names } = pathPattern(route.path);
    const alternateSource = source.endsWith('/') && source.length > 1 ? source.slice(0, -1) : `${source}/`;
    return { route, names, exact: new RegExp(`^${source}$`), alternate: new RegExp(`^${alternateSource}$`) };
  });
}

function decodeSegment(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * Finds the route for a method and raw path. `{name}` matches one segment; a path that differs from
 * a route's only by a trailing slash also matches (exact matches win). A path known under other
 * methods gives 'method-not-allowed'.
 */
export function matchRoute(routes: readonly RouteDefinition[] | CompiledRoute[], method: string, rawPath: string): RouteMatch {
  const compiled = (routes.length > 0 && 'exact' in routes[0] ? routes : compileRoutes(routes as RouteDefinition[])) as CompiledRoute[];
  const upper = method.toUpperCase();
  for (const which of ['exact', 'alternate'] as const) {
    const allow: HttpMethod[] = [];
    for (const entry of compiled) {
      const found = entry[which].exec(rawPath);
      if (!found) continue;
      if (entry.route.method === upper) {
        const pathParameters: Record<string, string> = {};
        entry.names.forEach((name, index) => {
          pathParameters[name] = decodeSegment(found[index + 1] ?? '');
        });
        return { kind: 'matched', route: entry.route, pathParameters };
      }
      if (!allow.includes(entry.route.method)) allow.push(entry.route.method);
    }
    if (allow.length > 0) return { kind: 'method-not-allowed', allow };
  }
  return { kind: 'not-found' };
}

const TEXT_TYPES = new Set([
  'application/json',
  'application/xml',
  'application/javascript',
  'application/x-www-form-urlencoded',
  'application/graphql',
  'application/yaml',
  'application/x-yaml',
]);

/**
 * Content types whose bodies reach the handler as plain strings. Structured-syntax suffixes count
 * as text, so manifests (`application/vnd.oci.image.manifest.v1+json`,
 * `application/vnd.docker.distribution.manifest.v2+json`, schema 1 `+prettyjws`) are text.
 */
export function isTextContentType(contentType: string | undefined): boolean {
  if (!contentType) return true;
  const type = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  if (!type) return true;
  return type.startsWith('text/') || TEXT_TYPES.has(type) || /\+(json|xml|prettyjws|yaml)$/.test(type);
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The body as the event carries it: text as is, anything else (or invalid UTF-8) as base64. */
export function encodeBody(body: Buffer, contentType: string | undefined): { body: string; isBase64Encoded: boolean } {
  if (isTextContentType(contentType)) {
    try {
      return { body: strictUtf8.decode(body), isBase64Encoded: false };
    } catch {
      // not valid UTF-8: only base64 keeps the exact bytes
    }
  }
  return { body: body.toString('base64'), isBase64Encoded: true };
}

function decodeQueryComponent(value: string): string {
  // Form decoding, as Quay's Flask does: '+' is a space, %XX escapes are decoded.
  return decodeSegment(value.replace(/\+/g, ' '));
}

/** `queryStringParameters` of payload 2.0: decoded, duplicates comma-joined; undefined if none. */
export function parseQueryString(rawQueryString: string): Record<string, string> | undefined {
  if (!rawQueryString) return undefined;
  const out: Record<string, string> = {};
  let any = false;
  for (const part of rawQueryString.split('&')) {
    if (!part) continue;
    const equals = part.indexOf('=');
    const name = decodeQueryComponent(equals < 0 ? part : part.slice(0, equals));
    const value = equals < 0 ? '' : decodeQueryComponent(part.slice(equals + 1));
    out[name] = Object.prototype.hasOwnProperty.call(out, name) ? `${out[name]},${value}` : value;
    any = true;
  }
  return any ? out : undefined;
}

/** Lower-cased headers with duplicates comma-joined, and the cookies (which v2 moves out of headers). */
export function collectHeaders(rawHeaders: string[]): { headers: Record<string, string>; cookies: string[] } {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (let index = 0; index + 1 < rawHeaders.length; index += 2) {
    const name = (rawHeaders[index] ?? '').toLowerCase();
    const value = rawHeaders[index + 1] ?? '';
    if (name === 'cookie') {
      for (const cookie of value.split(';')) {
        const trimmed = cookie.trim();
        if (trimmed) cookies.push(trimmed);
      }
      continue;
    }
    headers[name] = Object.prototype.hasOwnProperty.call(headers, name) ? `${headers[name]},${value}` : value;
  }
  return { headers, cookies };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** API Gateway's `requestContext.time` format: `27/Nov/2026:09:49:00 +0000`. */
export function gatewayTime(epochMs: number): string {
  const date = new Date(epochMs);
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(
    date.getUTCMinutes(),
  )}:${pad(date.getUTCSeconds())} +0000`;
}

/** An id shaped like API Gateway's (`JKJaXmPLvHcESHA=`). */
export function gatewayRequestId(): string {
  return randomBytes(10).toString('base64');
}

/** Builds the payload-2.0 event API Gateway sends for a request matched to a route. */
export function buildEvent(
  request: RawRequest,
  match: { route: RouteDefinition; pathParameters: Record<string, string> },
  meta: EventMeta = {},
): APIGatewayProxyEventV2 {
  const queryAt = request.url.indexOf('?');
  const rawPath = queryAt < 0 ? request.url : request.url.slice(0, queryAt);
  const rawQueryString = queryAt < 0 ? '' : request.url.slice(queryAt + 1);
  const { headers, cookies } = collectHeaders(request.rawHeaders);
  const sourceIp = request.sourceIp ?? '127.0.0.1';
  const timeEpoch = meta.timeEpoch ?? Date.now();
  const host = headers.host ?? 'localhost';
  const domainName = host.replace(/:\d+$/, '');

  // What API Gateway adds in front of the integration.
  headers['x-forwarded-for'] = headers['x-forwarded-for'] ? `${headers['x-forwarded-for']}, ${sourceIp}` : sourceIp;
  headers['x-forwarded-proto'] ??= 'http';
  headers['x-forwarded-port'] ??= /:(\d+)$/.exec(host)?.[1] ?? '80';
  headers['x-amzn-trace-id'] ??= `Root=1-${Math.floor(timeEpoch / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;

  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: `${match.route.method} ${match.route.path}`,
    rawPath,
    rawQueryString,
    headers,
    requestContext: {
      accountId: meta.accountId ?? '000000000000',
      apiId: meta.apiId ?? 'local',
      domainName,
      domainPrefix: domainName.split('.')[0] ?? domainName,
      http: {
        method: request.method.toUpperCase(),
        path: rawPath,
        protocol: request.protocol ?? 'HTTP/1.1',
        sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: meta.requestId ?? gatewayRequestId(),
      routeKey: `${match.route.method} ${match.route.path}`,
      stage: meta.stage ?? '$default',
      time: gatewayTime(timeEpoch),
      timeEpoch,
    },
    isBase64Encoded: false,
  };
  if (cookies.length > 0) event.cookies = cookies;
  const queryStringParameters = parseQueryString(rawQueryString);
  if (queryStringParameters) event.queryStringParameters = queryStringParameters;
  if (Object.keys(match.pathParameters).length > 0) event.pathParameters = { ...match.pathParameters };
  if (request.body && request.body.length > 0) {
    const encoded = encodeBody(request.body, headers['content-type']);
    event.body = encoded.body;
    event.isBase64Encoded = encoded.isBase64Encoded;
  }
  return event;
}

/** A Lambda context for one invocation. */
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

export interface HttpResult {
  statusCode: number;
  headers: Record<string, string>;
  cookies: string[];
  body: Buffer;
}

export class InvalidResultError extends Error {}

/**
 * Maps a handler's return value to the HTTP response, as API Gateway does for payload 2.0: a
 * structured result (with statusCode) is used as is; any other JSON value becomes a 200
 * application/json response carrying that value.
 */
export function resultToHttp(result: unknown): HttpResult {
  if (result === undefined || result === null) throw new InvalidResultError('the handler returned no result');
  if (typeof result === 'object' && !Array.isArray(result) && 'statusCode' in result) {
    const structured = result as APIGatewayProxyStructuredResultV2;
    const statusCode = structured.statusCode;
    if (typeof statusCode !== 'number' || !Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) {
      throw new InvalidResultError(`invalid statusCode ${JSON.stringify(statusCode)}`);
    }
    const headers: Record<string, string> = {};
    const cookies: string[] = [];
    for (const [name, value] of Object.entries(structured.headers ?? {})) {
      if (value === undefined || value === null) continue;
      const lower = name.toLowerCase();
      if (lower === 'set-cookie') cookies.push(String(value));
      else headers[lower] = String(value);
    }
    for (const cookie of structured.cookies ?? []) cookies.push(String(cookie));
    const rawBody = structured.body;
    if (rawBody !== undefined && rawBody !== null && typeof rawBody !== 'string') {
      throw new InvalidResultError('body must be a string');
    }
    const body = rawBody ? Buffer.from(rawBody, structured.isBase64Encoded ? 'base64' : 'utf8') : Buffer.alloc(0);
    return { statusCode, headers, cookies, body };
  }
  const body = typeof result === 'string' ? result : JSON.stringify(result);
  return { statusCode: 200, headers: { 'content-type': 'application/json' }, cookies: [], body: Buffer.from(body, 'utf8') };
}

// Hop-by-hop and framing headers belong to the gateway, not to the function.
const GATEWAY_OWNED = new Set(['connection', 'transfer-encoding', 'keep-alive', 'upgrade', 'content-length']);

/** Writes a mapped result; HEAD responses never carry a body (but keep their Content-Length). */
export function writeHttpResult(res: ServerResponse, method: string, result: HttpResult, requestId: string): void {
  const isHead = method.toUpperCase() === 'HEAD';
  for (const [name, value] of Object.entries(result.headers)) {
    if (GATEWAY_OWNED.has(name) && !(isHead && name === 'content-length')) continue;
    res.setHeader(name, value);
  }
  if (result.cookies.length > 0) res.setHeader('set-cookie', result.cookies);
  res.setHeader('apigw-requestid', requestId);
  res.statusCode = result.statusCode;
  if (isHead) {
    if (!res.hasHeader('content-length')) res.setHeader('content-length', String(result.body.length));
    res.end();
    return;
  }
  res.setHeader('content-length', String(result.body.length));
  res.end(result.body);
}

/** A JSON response produced by the gateway itself (errors, local hooks). */
export function sendJson(res: ServerResponse, statusCode: number, payload: unknown, extraHeaders: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const body = Buffer.from(JSON.stringify(payload), 'utf8');
  res.statusCode = statusCode;
  res.setHeader('content-type', 'application/json');
  for (const [name, value] of Object.entries(extraHeaders)) res.setHeader(name, value);
  res.setHeader('content-length', String(body.length));
  res.end(res.req?.method === 'HEAD' ? undefined : body);
}

class BodyTooLargeError extends Error {}

const TIMED_OUT = Symbol('timed out');

/** Reads the request body, refusing more than `limit` bytes. */
export function readBody(req: IncomingMessage, limit = MAX_REQUEST_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      reject(new BodyTooLargeError());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        chunks.length = 0;
        reject(new BodyTooLargeError());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks));
    });
    req.on('error', (error) => {
      if (!failed) {
        failed = true;
        reject(error);
      }
    });
  });
}

/** A route served by the emulator itself (the local test hooks), never by a Lambda. */
export interface LocalRoute {
  method: HttpMethod;
  path: string;
  handle(body: Buffer, req: IncomingMessage): Promise<{ statusCode: number; body: unknown }>;
}

export interface GatewayOptions {
  routes: readonly RouteDefinition[];
  /** The handler of a route's `handler` name; undefined when its file does not exist (→ 501). */
  loadHandler(name: string): Promise<ApiHandler | undefined>;
  localRoutes?: LocalRoute[];
  /** The gateway's "now" for requestContext.timeEpoch (default Date.now). */
  now?: () => number;
  timeoutMs?: number;
  /** Where gateway-level failures are logged (handler crashes, invalid results). */
  log?: (entry: Record<string, unknown>) => void;
}

function clientIp(req: IncomingMessage): string {
  const address = req.socket.remoteAddress ?? '127.0.0.1';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

function defaultLog(entry: Record<string, unknown>): void {
  process.stderr.write(`${JSON.stringify(entry)}\n`);
}

/** The request listener of the local API. */
export function createGateway(options: GatewayOptions): RequestListener {
  const compiled = compileRoutes(options.routes);
  const local = compileRoutes(
    (options.localRoutes ?? []).map((route) => ({ method: route.method, path: route.path, handler: '', permission: 'anyone' as const, access: {} })),
  );
  const localByKey = new Map((options.localRoutes ?? []).map((route) => [`${route.method} ${route.path}`, route]));
  const now = options.now ?? Date.now;
  const log = options.log ?? defaultLog;
  const timeoutMs = options.timeoutMs ?? INTEGRATION_TIMEOUT_MS;

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = req.url ?? '/';
    const queryAt = url.indexOf('?');
    const rawPath = queryAt < 0 ? url : url.slice(0, queryAt);
    const requestId = gatewayRequestId();

    const localMatch = local.length > 0 ? matchRoute(local, method, rawPath) : ({ kind: 'not-found' } as RouteMatch);
    const match = localMatch.kind === 'not-found' ? matchRoute(compiled, method, rawPath) : localMatch;
    if (match.kind === 'not-found') {
      sendJson(res, 404, { message: 'Not Found' }, { 'apigw-requestid': requestId });
      return;
    }
    if (match.kind === 'method-not-allowed') {
      sendJson(res, 405, { message: 'Method Not Allowed' }, { allow: match.allow.join(', '), 'apigw-requestid': requestId });
      return;
    }

    let body: Buffer;
    try {
      body = await readBody(req);
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        sendJson(res, 413, { message: 'Request Entity Too Large' }, { connection: 'close', 'apigw-requestid': requestId });
        return;
      }
      throw error;
    }

    const localRoute = localMatch.kind === 'matched' ? localByKey.get(`${match.route.method} ${match.route.path}`) : undefined;
    if (localRoute) {
      const answer = await localRoute.handle(body, req);
      sendJson(res, answer.statusCode, answer.body);
      return;
    }

    const { route } = match;
    let handler: ApiHandler | undefined;
    try {
      handler = await options.loadHandler(route.handler);
    } catch (error) {
      log({ level: 'error', msg: 'could not load handler', handler: route.handler, error: String((error as Error)?.stack ?? error) });
      sendJson(res, 500, { message: 'Internal Server Error' }, { 'apigw-requestid': requestId });
      return;
    }
    if (!handler) {
      sendJson(
        res,
        501,
        { message: `not implemented: functions/${route.handler}.ts does not exist yet`, route: `${route.method} ${route.path}` },
        { 'apigw-requestid': requestId },
      );
      return;
    }

    const event = buildEvent(
      { method, url, rawHeaders: req.rawHeaders, body, sourceIp: clientIp(req), protocol: `HTTP/${req.httpVersion}` },
      match,
      { requestId, timeEpoch: now() },
    );
    const context = buildContext(route.handler, { timeoutMs });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<typeof TIMED_OUT>((resolve) => {
      timer = setTimeout(() => resolve(TIMED_OUT), timeoutMs);
    });
    let result: unknown;
    try {
      result = await Promise.race([handler(event, context), timedOut]);
    } catch (error) {
      log({
        level: 'error',
        msg: 'handler failed',
        handler: route.handler,
        requestId: context.awsRequestId,
        error: String((error as Error)?.stack ?? error),
      });
      sendJson(res, 500, { message: 'Internal Server Error' }, { 'apigw-requestid': requestId });
      return;
    } finally {
      clearTimeout(timer);
    }
    if (result === TIMED_OUT) {
      log({ level: 'error', msg: 'handler timed out', handler: route.handler, timeoutMs });
      sendJson(res, 503, { message: 'Service Unavailable' }, { 'apigw-requestid': requestId });
      return;
    }
    let http: HttpResult;
    try {
      http = resultToHttp(result);
    } catch (error) {
      log({ level: 'error', msg: 'invalid handler result', handler: route.handler, error: String((error as Error).message) });
      sendJson(res, 500, { message: 'Internal Server Error' }, { 'apigw-requestid': requestId });
      return;
    }
    writeHttpResult(res, method, http, requestId);
  }

  return (req, res) => {
    serve(req, res).catch((error) => {
      log({ level: 'error', msg: 'gateway failure', error: String((error as Error)?.stack ?? error) });
      sendJson(res, 500, { message: 'Internal Server Error' });
    });
  };
}
