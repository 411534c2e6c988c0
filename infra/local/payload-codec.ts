/**
 * The API Gateway payload-2.0 codec: the event a Lambda proxy integration receives for a request,
 * and the HTTP response API Gateway makes of a handler's result. Pure functions, so handler tests
 * and the benchmark build real events without a server.
 */
import type { APIGatewayProxyStructuredResultV2, APIGatewayProxyEventV2 } from 'aws-lambda';
import { randomBytes } from 'node:crypto';

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
  const spaced = value.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
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
  match: { route: { method: string; path: string }; pathParameters: Record<string, string> },
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


/** Bytes of a payload as Lambda counts them (its JSON serialization), for the 6 MB limits. */
export function payloadBytes(payload: unknown): number {
  return Buffer.byteLength(JSON.stringify(payload) ?? '', 'utf8');
}
