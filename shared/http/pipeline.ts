/**
 * The middy pipeline every API handler runs in: authentication, error shaping (Quay or OCI bodies)
 * and one structured log line per request. Handlers receive a parsed request and return a plain
 * response; they never format errors themselves.
 */
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { clock } from '../clock.js';
import type { Clock } from '../clock.js';
import type { Principal } from '../domain/permissions.js';
import type { Store } from '../store/index.js';
import { authenticate } from './auth.js';
import { externalBaseUrl } from './base-url.js';
import { DomainError } from '../domain/errors.js';
import { HttpError, ociError, quay, quayErrorFor } from './errors.js';
import { log } from '../log.js';

export interface Deps {
  clock: Clock;
  store: Store;
}

/**
 * The dependencies of routes that never touch DynamoDB (health, the /v2 probe and token endpoint):
 * importing no store keeps the AWS SDK out of their bundles; a slip is a loud error, not a query.
 */
const storeFree: Deps = {
  clock,
  store: new Proxy({} as Store, {
    get() {
      throw new Error('this function is built without the store (use apiHandler from shared/http/api.ts)');
    },
  }),
};

export interface ApiRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  query: Record<string, string>;
  headers: Record<string, string>;
  /** The raw body as bytes (manifests must be kept byte for byte). */
  body: Uint8Array | null;
  principal: Principal | null;
  ip: string;
  requestId: string;
  /** External base URL, e.g. https://registry.example (for links in bodies and headers). */
  baseUrl: string;
  deps: Deps;
}

export interface ApiResponse {
  status: number;
  /** JSON-serialized unless `rawBody` is given. */
  body?: unknown;
  rawBody?: Uint8Array | string;
  headers?: Record<string, string>;
}

export type ErrorStyle = 'quay' | 'oci';

function firstValues(values: Record<string, string | undefined> | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  // API Gateway joins repeated query parameters with commas; Quay (reqparse) takes the first value.
  for (const [key, value] of Object.entries(values ?? {})) if (value !== undefined) result[key] = value.split(',')[0];
  return result;
}

/** API Gateway (and the local gateway) hands over path parameters already percent-decoded. */
function pathParams(values: Record<string, string | undefined> | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(values ?? {})) if (value !== undefined) result[key] = value;
  return result;
}

function queryFromRaw(raw: string | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(raw ?? '')) if (!(key in result)) result[key] = value;
  return result;
}

function lowerCaseHeaders(headers: Record<string, string | undefined> | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers ?? {})) if (value !== undefined) result[key.toLowerCase()] = value;
  return result;
}

async function toRequest(event: APIGatewayProxyEventV2, deps: Deps): Promise<ApiRequest> {
  const headers = lowerCaseHeaders(event.headers);
  const body =
    event.body === undefined || event.body === null
      ? null
      : event.isBase64Encoded
        ? new Uint8Array(Buffer.from(event.body, 'base64'))
        : new TextEncoder().encode(event.body);
  return {
    method: event.requestContext.http.method,
    path: event.rawPath,
    params: pathParams(event.pathParameters),
    query: event.rawQueryString !== undefined ? queryFromRaw(event.rawQueryString) : firstValues(event.queryStringParameters),
    headers,
    body,
    principal: await authenticate(headers.authorization),
    ip: event.requestContext.http.sourceIp,
    requestId: event.requestContext.requestId,
    baseUrl: externalBaseUrl(headers, event.requestContext.domainName),
    deps,
  };
}

function toResult(response: ApiResponse, method: string): APIGatewayProxyStructuredResultV2 {
  const headers: Record<string, string> = { ...response.headers };
  let body: string | undefined;
  let isBase64Encoded = false;
  if (response.rawBody !== undefined) {
    if (typeof response.rawBody === 'string') body = response.rawBody;
    else {
      body = Buffer.from(response.rawBody).toString('base64');
      isBase64Encoded = true;
    }
  } else if (response.body !== undefined && response.status !== 204) {
    // Quay (flask-restful output_json) ends every JSON body with a newline.
    body = `${JSON.stringify(response.body)}\n`;
    headers['content-type'] ??= 'application/json';
  }
  if (method === 'HEAD') body = undefined;
  return { statusCode: response.status, headers, body: body ?? '', isBase64Encoded };
}

function errorResponse(error: unknown, style: ErrorStyle, baseUrl: string): ApiResponse {
  if (error instanceof DomainError) error = quayErrorFor(error);
  if (error instanceof HttpError) {
    return { status: error.status, body: error.renderBody(baseUrl), headers: error.headers };
  }
  log('error', { message: 'unhandled error', error: String((error as Error)?.stack ?? error) });
  const internal =
    style === 'oci'
      ? ociError(500, 'UNSUPPORTED', 'internal server error')
      : quay.message(500, 'Internal Server Error');
  return { status: 500, body: internal.renderBody(baseUrl) };
}

type ApiContext = Context & { apiRequest?: ApiRequest; startedAt?: number };
type MiddyRequest = middy.Request<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, ApiContext>;
type Middleware = middy.MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, ApiContext>;

/** Parses the event and authenticates the bearer token (anonymous when missing or invalid). */
function authentication(deps: Deps): Middleware {
  return {
    before: async function authenticateRequest(request: MiddyRequest) {
      request.context.apiRequest = await toRequest(request.event, deps);
    },
  };
}

/** Turns any error into the route's error shape; unexpected errors become a logged 500. */
function errorShaper(style: ErrorStyle): Middleware {
  return {
    onError: async function shapeError(request: MiddyRequest) {
      const baseUrl = request.context.apiRequest?.baseUrl ?? 'https://localhost';
      request.response = toResult(errorResponse(request.error, style, baseUrl), request.event.requestContext.http.method);
      request.error = null as unknown as Error;
    },
  };
}

/** One structured JSON line per request: route, status, duration, request id, performer. */
function requestLog(route: string): Middleware {
  const logLine = (request: MiddyRequest) =>
    log('info', {
      route,
      method: request.event.requestContext.http.method,
      path: request.event.rawPath,
      status: request.response?.statusCode,
      durationMs: Math.round((performance.now() - (request.context.startedAt ?? 0)) * 10) / 10,
      requestId: request.event.requestContext.requestId,
      performer: request.context.apiRequest?.principal?.username ?? null,
    });
  return {
    before: async function startClock(request: MiddyRequest) {
      request.context.startedAt = performance.now();
    },
    after: async function logRequest(request: MiddyRequest) {
      logLine(request);
    },
    onError: async function logFailedRequest(request: MiddyRequest) {
      logLine(request);
    },
  };
}

/** Wraps a route function into a Lambda handler (API Gateway HTTP API, payload 2.0). */
export function pipelineHandler(
  route: string,
  run: (request: ApiRequest) => Promise<ApiResponse>,
  options: { errors?: ErrorStyle; deps?: Deps } = {},
) {
  const deps = options.deps ?? storeFree;
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, ApiContext>()
    .use(requestLog(route))
    .use(errorShaper(options.errors ?? 'quay'))
    .use(authentication(deps))
    .handler(async (event, context) => toResult(await run(context.apiRequest as ApiRequest), event.requestContext.http.method));
}
