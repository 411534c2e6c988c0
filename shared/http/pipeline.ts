/**
 * The middy pipeline every API handler runs in: authentication, error shaping (Quay or OCI bodies)
 * and one structured log line per request. Handlers receive a parsed request and return a plain
 * response; they never format errors themselves.
 */
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { Principal } from '../domain/permissions.js';
import { storeFreeDeps } from './runtime.js';
import type { Deps } from './runtime.js';
import { httpErrorOf } from './errors.js';
import type { ErrorPolicy, ErrorStyle, HttpError } from './errors.js';
import { jsonBodyParsing } from './body.js';
import type { ParsedBody } from './body.js';
import { externalBaseUrl } from './base-url.js';
import { logger } from '../log.js';
import { countMetric, publishMetrics } from '../metrics.js';
import { WriteConflictError } from '../store/errors.js';
import { idempotency } from './idempotency.js';

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
  /** The JSON body as the parser left it, on routes that declare one (read it with jsonBody). */
  json?: ParsedBody;
  deps: Deps;
}

export interface ApiResponse {
  status: number;
  /** JSON-serialized unless `rawBody` is given. */
  body?: unknown;
  rawBody?: Uint8Array | string;
  headers?: Record<string, string>;
}

export type { Deps };

export type { ErrorStyle };

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
    principal: await deps.authenticate(headers.authorization),
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

export type ApiContext = Context & { apiRequest?: ApiRequest; startedAt?: number };
export type MiddyRequest = middy.Request<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, ApiContext>;
export type Middleware = middy.MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, ApiContext>;

/** Parses the event and authenticates the bearer token (anonymous when missing or invalid). */
function authentication(deps: () => Deps): Middleware {
  return {
    before: async function authenticateRequest(request: MiddyRequest) {
      request.context.apiRequest = await toRequest(request.event, deps());
    },
  };
}

/** Turns any error into the route's error shape (shared/http/errors.ts httpErrorOf). */
function errorShaper(policy: ErrorPolicy): Middleware {
  return {
    onError: async function shapeError(request: MiddyRequest) {
      if (request.error instanceof WriteConflictError) countMetric('WriteConflicts');
      const baseUrl = request.context.apiRequest?.baseUrl ?? 'https://localhost';
      const error = await httpErrorOf(request.error, policy);
      const response = { status: error.status, body: error.renderBody(baseUrl), headers: error.headers };
      request.response = toResult(response, request.event.requestContext.http.method);
      request.error = null as unknown as Error;
    },
  };
}

/**
 * One structured JSON line per request (Powertools Logger): route, status, duration, request id,
 * performer, with the Lambda context and API Gateway's request id as correlation id; then the
 * request's metrics (shared/metrics.ts) as one EMF line.
 */
function requestLog(route: string): Middleware {
  const logLine = (request: MiddyRequest) => {
    logger.info('request', {
      route,
      method: request.event.requestContext.http.method,
      path: request.event.rawPath,
      status: request.response?.statusCode,
      durationMs: Math.round((performance.now() - (request.context.startedAt ?? 0)) * 10) / 10,
      requestId: request.event.requestContext.requestId,
      performer: request.context.apiRequest?.principal?.username ?? null,
    });
    publishMetrics();
  };
  return {
    before: async function startClock(request: MiddyRequest) {
      request.context.startedAt = performance.now();
      logger.addContext(request.context);
      logger.setCorrelationId(request.event.requestContext.requestId);
    },
    after: async function logRequest(request: MiddyRequest) {
      logLine(request);
    },
    onError: async function logFailedRequest(request: MiddyRequest) {
      logLine(request);
    },
  };
}

export interface RouteOptions {
  /** Body shape of errors (default 'quay'). */
  errors?: ErrorStyle;
  /** What a lost write race (WriteConflictError) answers on this route; default: a 500. */
  conflict?: () => HttpError | Promise<HttpError>;
  /** The route takes a JSON body: @middy/http-json-body-parser parses it (read it with jsonBody). */
  jsonBody?: boolean;
  deps?: () => Deps;
  /** Honour Idempotency-Key on POST, PUT and DELETE (routes with the store: apiHandler). */
  idempotency?: boolean;
}

/** Wraps a route function into a Lambda handler (API Gateway HTTP API, payload 2.0). */
export function pipelineHandler(route: string, run: (request: ApiRequest) => Promise<ApiResponse>, options: RouteOptions = {}) {
  const deps = options.deps ?? storeFreeDeps;
  const pipeline = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, ApiContext>()
    .use(requestLog(route))
    .use(errorShaper({ style: options.errors ?? 'quay', conflict: options.conflict }))
    .use(authentication(deps));
  if (options.idempotency) pipeline.use(idempotency());
  if (options.jsonBody) pipeline.use(jsonBodyParsing());
  return pipeline.handler(async (event, context) => toResult(await run(context.apiRequest as ApiRequest), event.requestContext.http.method));
}
