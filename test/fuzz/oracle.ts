/**
 * What every response must be, whatever the request: never a 5xx; an error in its route's documented
 * shape (shared/http/errors.ts, docs/api.md §2); no response larger than Lambda's 6 MB; and headers
 * that reflect nothing unescaped. Returns the violations found (empty when the response is right).
 */
import type { OciErrorCode } from '../../shared/http/errors.js';
import type { RawRequest, RawResponse } from './http.js';
import { routeForPath, type FuzzRoute } from './route-table.js';

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
  /** The handler the path reaches (`unmatched` for the gateway's own answers). */
  handler: string;
  request: RawRequest;
  response?: RawResponse;
  message: string;
  /** What the case was about (token label, poison kind...), for matching known failures. */
  context: Record<string, string>;
}

/** Lambda's synchronous response limit. */
export const MAX_RESPONSE_BYTES = 6 * 1024 * 1024;

const OCI_CODES: ReadonlySet<OciErrorCode> = new Set<OciErrorCode>([
  'MANIFEST_INVALID', 'MANIFEST_UNKNOWN', 'MANIFEST_BLOB_UNKNOWN', 'DIGEST_INVALID', 'NAME_INVALID', 'NAME_UNKNOWN', 'TAG_INVALID',
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

export interface Verdict {
  /** The route the request reached (by method), if any. */
  route?: FuzzRoute;
  violations: Omit<Violation, 'request' | 'context'>[];
}

/** Checks one response against the invariants every response must hold. */
export function judge(request: RawRequest, response: RawResponse): Verdict {
  const rawPath = request.target.split('?')[0];
  const match = routeForPath(rawPath);
  const method = request.method.toUpperCase();
  const route = match?.byMethod.get(method);
  const handler = route?.route.handler ?? (match ? 'method-not-allowed' : 'unmatched');
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

  if (status >= 500) {
    const documented501 = status === 501 && route?.errors === 'quay' && route.route.path.includes('/tag/') && (isHead || JSON.stringify(json) === JSON.stringify(APPLICATION_REPOSITORY_501));
    if (!documented501) add('server-error', `HTTP ${status}: ${response.text.slice(0, 300)}`);
    return { route, violations };
  }
  if (status < 200 || (status >= 300 && status < 400)) {
    add('success-shape', `unexpected HTTP ${status}`);
    return { route, violations };
  }

  if (status >= 400) {
    if (isHead) return { route, violations };
    const contentType = String(response.headers['content-type'] ?? '');
    if (!/^application\/json\b/.test(contentType)) add('error-shape', `HTTP ${status} with Content-Type ${JSON.stringify(contentType)}: ${response.text.slice(0, 200)}`);
    let problem: string | undefined;
    if (!match) {
      const gateway404 = status === 404 && JSON.stringify(json) === '{"message":"Not Found"}';
      // An unimplemented /v2 path may also answer in the OCI shape (issue 10 item 5).
      const oci404 = status === 404 && rawPath.startsWith('/v2/') && !ociShapeProblem(json);
      if (!gateway404 && !oci404) problem = `an unmatched path must get the gateway's 404 {"message":"Not Found"}`;
    } else if (!route) {
      if (status !== 405 || JSON.stringify(json) !== '{"message":"Method Not Allowed"}') problem = 'a known path with another method must get 405 {"message":"Method Not Allowed"}';
      else if (!response.headers.allow) problem = '405 without an Allow header';
    } else {
      problem = route.errors === 'oci' ? ociShapeProblem(json) : quayShapeProblem(json, status);
    }
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
