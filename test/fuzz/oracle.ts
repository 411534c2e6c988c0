/**
 * What every response must be, whatever the request: never a 5xx; an error in its route's documented
 * shape (shared/http/errors.ts, docs/api.md §2); no response larger than Lambda's 6 MB; and headers
 * that reflect nothing unescaped. Returns the violations found (empty when the response is right).
 */
import { METHODS } from 'node:http';
import { GATEWAY_ERRORS, MAX_HEADER_BYTES, MAX_INVOCATION_PAYLOAD_BYTES } from '../../infra/local/limits.js';
import type { OciErrorCode } from '../../shared/http/errors.js';
import type { RawRequest, RawResponse } from './http.js';
import { destinationOf, handlerOf, type FuzzRoute } from './route-table.js';

export type ViolationKind =
  | 'server-error'
  | 'error-shape'
  | 'success-shape'
  | 'response-too-large'
  | 'bad-header'
  | 'no-response'
  | 'state-changed'
  | 'not-anonymous'
  | 'broken-after-push';

export interface Violation {
  kind: ViolationKind;
  /** The function the request reaches (`unmatched` for the gateway's own answers). */
  handler: string;
  request: RawRequest;
  response?: RawResponse;
  message: string;
  /** What the case was about (token label, poison kind...), for matching known failures. */
  context: Record<string, string>;
}

/** Lambda's synchronous response limit. */
export const MAX_RESPONSE_BYTES = 6 * 1024 * 1024;

const OCI_CODES: ReadonlySet<OciErrorCode | 'BLOB_UNKNOWN'> = new Set<OciErrorCode | 'BLOB_UNKNOWN'>([
  'BLOB_UNKNOWN', 'MANIFEST_INVALID', 'MANIFEST_UNKNOWN', 'MANIFEST_BLOB_UNKNOWN', 'DIGEST_INVALID', 'NAME_INVALID', 'NAME_UNKNOWN', 'TAG_INVALID',
  'SIZE_INVALID', 'UNAUTHORIZED', 'DENIED', 'UNSUPPORTED', 'PAGINATION_NUMBER_INVALID',
]);

/** Quay's ApiException types and the status each goes with (docs/api.md §2.1). */
const API_EXCEPTION: Record<string, number> = { invalid_token: 401, insufficient_scope: 403, not_found: 404, invalid_request: 400 };

/** Quay [L]'s disallow_for_app_repositories: the one documented 5xx (tag routes, application repos). */
export const APPLICATION_REPOSITORY_501 = { message: 'The server does not support the action requested by the browser.' };

const isObject = (value: unknown): value is Record<string, unknown> => !!value && typeof value === 'object' && !Array.isArray(value);
const keysAre = (value: Record<string, unknown>, keys: string[]) => {
  const have = Object.keys(value).sort();
  return have.length === keys.length && [...keys].sort().every((key, index) => have[index] === key);
};

function isWellFormedUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.host !== '' && !/["<>\s\\]/.test(text);
  } catch {
    return false;
  }
}

/** Why `body` is not a Quay error body, or undefined if it is one. */
export function quayShapeProblem(body: unknown, status: number): string | undefined {
  if (!isObject(body)) return 'not a JSON object';
  if (keysAre(body, ['detail', 'error_message', 'error_type', 'title', 'type', 'status'])) {
    const expected = API_EXCEPTION[String(body.error_type)];
    if (expected === undefined) return `unknown error_type ${JSON.stringify(body.error_type)}`;
    if (expected !== status || body.status !== status) return `ApiException ${String(body.error_type)} with status ${String(body.status)} on HTTP ${status}`;
    if (body.title !== body.error_type) return 'title differs from error_type';
    if (typeof body.detail !== 'string' || body.detail !== body.error_message) return 'detail differs from error_message';
    if (typeof body.type !== 'string' || !body.type.endsWith(`/api/v1/error/${String(body.error_type)}`)) return 'type is not <base>/api/v1/error/<error_type>';
    if (!isWellFormedUrl(body.type)) return `type is not a well-formed URL: ${JSON.stringify(body.type.slice(0, 200))}`;
    return undefined;
  }
  if (keysAre(body, ['message'])) {
    const message = body.message;
    if (typeof message === 'string') return undefined;
    if (isObject(message) && Object.values(message).every((value) => typeof value === 'string')) return undefined;
    return 'message is neither a string nor a reqparse object';
  }
  if (keysAre(body, ['error']) && typeof body.error === 'string') return undefined;
  return `keys ${JSON.stringify(Object.keys(body))} are none of Quay's three shapes`;
}

/** Why `body` is not an OCI error body, or undefined if it is one. */
export function ociShapeProblem(body: unknown): string | undefined {
  if (!isObject(body) || !keysAre(body, ['errors']) || !Array.isArray(body.errors) || body.errors.length === 0) return 'not {"errors":[...]}';
  for (const error of body.errors) {
    if (!isObject(error) || !keysAre(error, ['code', 'message', 'detail'])) return 'an error is not {code,message,detail}';
    if (!OCI_CODES.has(error.code as OciErrorCode)) return `unknown code ${JSON.stringify(error.code)}`;
    if (typeof error.message !== 'string') return 'message is not a string';
    if (error.detail !== null && !isObject(error.detail)) return 'detail is neither an object nor null';
  }
  return undefined;
}

const CHALLENGE = /^Bearer realm="([^"\\\r\n]*)",service="([^"\\\r\n]*)"(,scope="[^"\\\r\n]*")?$/;

const gatewayBody = (error: { message: string }) => JSON.stringify({ message: error.message });

/**
 * About how many bytes the request line and headers take on the wire (node:http adds Host,
 * Content-Length and Connection), for the gateway's 431.
 */
function headBytes(request: RawRequest): number {
  const headers = Object.entries(request.headers).reduce((sum, [name, value]) => sum + Buffer.byteLength(`${name}: ${value}\r\n`), 0);
  return Buffer.byteLength(`${request.method} ${request.target} HTTP/1.1\r\n`) + headers + 80;
}

/** Room for the estimate of headBytes around the limit: within it, 431 is allowed but not required. */
const HEAD_SLACK = 512;

/**
 * The gateway's own refusals (docs/deploy.md, "Limits"), which come before any route: a request Node
 * cannot parse is 400, a head over 10 KB is 431, a body whose event Lambda would refuse is 413.
 * Returns the statuses the request may get from the gateway, and whether it must get one of them.
 */
function gatewayRefusals(request: RawRequest): { allowed: Map<number, string>; required: boolean } {
  const allowed = new Map<number, string>();
  let required = false;
  // Node's parser refuses a method it does not know and raw bytes outside printable ASCII in the target.
  if (!METHODS.includes(request.method) || /[^\x21-\x7e]/.test(request.target)) {
    allowed.set(400, gatewayBody(GATEWAY_ERRORS.badRequest));
    required = true;
  }
  const head = headBytes(request);
  if (head > MAX_HEADER_BYTES - HEAD_SLACK) allowed.set(431, gatewayBody(GATEWAY_ERRORS.headersTooLarge));
  if (head > MAX_HEADER_BYTES + HEAD_SLACK) required = true;
  // A body that is not text travels base64-encoded in the event: a third larger.
  if ((request.body?.length ?? 0) * (4 / 3) > MAX_INVOCATION_PAYLOAD_BYTES - 64 * 1024) allowed.set(413, gatewayBody(GATEWAY_ERRORS.tooLarge));
  return { allowed, required };
}

export interface Verdict {
  /** The route the request reached, if any. */
  route?: FuzzRoute;
  violations: Omit<Violation, 'request' | 'context'>[];
}

/** Checks one response against the invariants every response must hold. */
export function judge(request: RawRequest, response: RawResponse): Verdict {
  const rawPath = request.target.split('?')[0];
  const method = request.method.toUpperCase();
  const destination = destinationOf(method, rawPath);
  const route = destination.kind === 'route' ? destination.route : undefined;
  const handler = handlerOf(method, rawPath);
  const violations: Verdict['violations'] = [];
  const add = (kind: ViolationKind, message: string) => violations.push({ kind, handler, response, message });
  const { status, json } = response;
  const isHead = method === 'HEAD';

  if (response.bytes > MAX_RESPONSE_BYTES) add('response-too-large', `${response.bytes} bytes exceed Lambda's 6 MB`);

  const challenge = response.headers['www-authenticate'];
  if (challenge !== undefined) {
    const value = Array.isArray(challenge) ? challenge.join(', ') : challenge;
    const parsed = CHALLENGE.exec(value);
    if (!parsed) add('bad-header', `malformed WWW-Authenticate: ${value.slice(0, 300)}`);
    else if (!isWellFormedUrl(parsed[1])) add('bad-header', `WWW-Authenticate realm is not a well-formed URL: ${parsed[1].slice(0, 300)}`);
  }

  const refusals = gatewayRefusals(request);
  const refusal = refusals.allowed.get(status);
  if (refusal !== undefined) {
    if (!isHead && response.text !== refusal) add('error-shape', `HTTP ${status} from the gateway must be ${refusal}; body ${response.text.slice(0, 300)}`);
    return { route, violations };
  }
  if (refusals.required) {
    add('error-shape', `HTTP ${status} where the gateway refuses with one of ${[...refusals.allowed.keys()].join(', ')}: ${response.text.slice(0, 300)}`);
    return { route, violations };
  }

  if (status >= 500) {
    const documented501 = status === 501 && route?.errors === 'quay' && /\/tag(\/|diff$)/.test(route.route.path) && (isHead || JSON.stringify(json) === JSON.stringify(APPLICATION_REPOSITORY_501));
    if (!documented501) add('server-error', `HTTP ${status}: ${response.text.slice(0, 300)}`);
    return { route, violations };
  }
  if (status < 200 || (status >= 300 && status < 400)) {
    add('success-shape', `unexpected HTTP ${status}`);
    return { route, violations };
  }

  if (status >= 400 && !isHead) {
    const contentType = String(response.headers['content-type'] ?? '');
    if (!/^application\/json\b/.test(contentType)) add('error-shape', `HTTP ${status} with Content-Type ${JSON.stringify(contentType)}: ${response.text.slice(0, 200)}`);
  }

  if (destination.kind !== 'route') {
    // No route serves it: the gateway's 404, or the fallback's in its route's error shape.
    if (status !== 404) add('success-shape', `HTTP ${status} for a path no route serves (${handler} must answer 404): ${response.text.slice(0, 200)}`);
    else if (!isHead) {
      const problem =
        destination.kind === 'gateway'
          ? response.text === gatewayBody(GATEWAY_ERRORS.notFound) ? undefined : `the gateway's 404 must be ${gatewayBody(GATEWAY_ERRORS.notFound)}`
          : destination.errors === 'oci'
            ? ociShapeProblem(json)
            : quayShapeProblem(json, status) ?? ((json as { error_type?: unknown }).error_type === 'not_found' ? undefined : 'not the ApiException not_found');
      if (problem) add('error-shape', `HTTP 404 from ${handler}: ${problem}; body ${response.text.slice(0, 300)}`);
    }
    return { route, violations };
  }

  if (status >= 400) {
    if (isHead) return { route, violations };
    const problem = destination.route.errors === 'oci' ? ociShapeProblem(json) : quayShapeProblem(json, status);
    if (problem) add('error-shape', `HTTP ${status}: ${problem}; body ${response.text.slice(0, 300)}`);
    return { route, violations };
  }

  // 2xx
  if (isHead) {
    if (response.bytes > 0) add('success-shape', 'HEAD response with a body');
  } else if (status === 204) {
    if (response.bytes > 0) add('success-shape', '204 with a body');
  } else if (response.bytes > 0 && json === undefined) {
    add('success-shape', `HTTP ${status} body is not JSON: ${response.text.slice(0, 200)}`);
  }
  return { route, violations };
}
