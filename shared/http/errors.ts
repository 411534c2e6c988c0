/**
 * The one error vocabulary of the handlers: HttpError, built by `quay.*` or `ociError`, and the one
 * place (`errorResponse`) where any error becomes a response in its route's shape. HTTP errors in
 * the shapes clients expect. Quay's API uses three JSON shapes
 * (quay-tag-api.md §4): the ApiException "problem" body, `{"message": ...}` from abort() and
 * `{"error": ...}` from util.http.abort; the /v2 API uses the OCI error body.
 */
import { DomainError, TagImmutableError } from '../domain/errors.js';
import { log } from '../log.js';
import { WriteConflictError } from '../store/errors.js';

export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly status: number,
    /** Builds the body; receives the external base URL (ApiException bodies link to it). */
    readonly renderBody: (baseUrl: string) => unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(`HTTP ${status}`);
  }
}

/** Quay's ApiException body (endpoints/exception.py). */
function apiException(status: number, errorType: string, detail: string, headers?: Record<string, string>) {
  return new HttpError(
    status,
    (baseUrl) => ({
      detail,
      error_message: detail,
      error_type: errorType,
      title: errorType,
      type: `${baseUrl}/api/v1/error/${errorType}`,
      status,
    }),
    headers,
  );
}

export const quay = {
  /** An ApiException body of any status and error type (extensions: 412, 409, 422). */
  problem: (status: number, errorType: string, detail: string) => apiException(status, errorType, detail),
  /** Quay's NotFound; a `detail` that says why where Quay's own message is not fixed. */
  notFound: (detail = 'Not Found') => apiException(404, 'not_found', detail),
  invalidRequest: (message: string) => apiException(400, 'invalid_request', message),
  /** Quay's Unauthorized(): 401 for anonymous callers, 403 for authenticated ones. */
  unauthorized: (authenticated: boolean) =>
    authenticated
      ? apiException(403, 'insufficient_scope', 'Unauthorized')
      : apiException(401, 'invalid_token', 'Requires authentication'),
  /** flask abort(status, message) and flask-restful abort: `{"message": ...}`. */
  message: (status: number, message: string | Record<string, string>) => new HttpError(status, () => ({ message })),
  /** flask.abort(400) with no description. */
  badRequest: () => quay.message(400, 'The browser (or proxy) sent a request that this server could not understand.'),
  /** [L] disallow_for_app_repositories. */
  applicationRepository: () => quay.message(501, 'The server does not support the action requested by the browser.'),
};

/** The Quay body for a domain outcome (routes with OCI bodies map their own). */
export function quayErrorFor(error: DomainError): HttpError {
  switch (error.kind) {
    case 'not_found':
      return quay.notFound(error.message);
    case 'invalid_request':
      return quay.invalidRequest(error.message);
    case 'bad_request':
      return quay.badRequest();
    case 'precondition_failed':
      return apiException(412, 'precondition_failed', error.message);
    case 'model_error':
      return quay.message(400, error.message);
    case 'forbidden':
      return quay.unauthorized(true);
    case 'tag_immutable':
      return apiException(409, 'tag_immutable', error.message);
  }
}

export type OciErrorCode =
  | 'MANIFEST_INVALID'
  | 'MANIFEST_UNKNOWN'
  | 'MANIFEST_BLOB_UNKNOWN'
  | 'DIGEST_INVALID'
  | 'NAME_INVALID'
  | 'NAME_UNKNOWN'
  | 'TAG_INVALID'
  | 'SIZE_INVALID'
  | 'UNAUTHORIZED'
  | 'DENIED'
  | 'UNSUPPORTED'
  | 'PAGINATION_NUMBER_INVALID'
  /** Quay's own code (not in the OCI distribution spec) for a push or delete over an immutable tag. */
  | 'TAG_IMMUTABLE';

export function ociError(status: number, code: OciErrorCode, message: string, detail: unknown = null, headers?: Record<string, string>) {
  return new HttpError(status, () => ({ errors: [{ code, message, detail }] }), headers);
}

/** Quay's registry TagImmutable error (endpoints/v2/errors.py): "overwritten" even for deletes. */
export function ociTagImmutable(tag: string): HttpError {
  return ociError(409, 'TAG_IMMUTABLE', 'tag is immutable and cannot be overwritten', { message: `tag '${tag}' is immutable` });
}

export type ErrorStyle = 'quay' | 'oci';

/**
 * How a route answers errors: the body shape of unexpected ones, and what a store write that lost
 * its race (WriteConflictError: nothing was written) means for this route.
 */
export interface ErrorPolicy {
  style: ErrorStyle;
  conflict?: () => HttpError | Promise<HttpError>;
}

/** Any error → the HttpError to answer with; unexpected errors are logged and become a 500. */
export async function httpErrorOf(error: unknown, policy: ErrorPolicy): Promise<HttpError> {
  if (error instanceof WriteConflictError && policy.conflict) return policy.conflict();
  if (error instanceof TagImmutableError && policy.style === 'oci') return ociTagImmutable(error.tag);
  if (error instanceof DomainError) return quayErrorFor(error);
  if (error instanceof HttpError) return error;
  log('error', { message: 'unhandled error', error: String((error as Error)?.stack ?? error) });
  return policy.style === 'oci' ? ociError(500, 'UNSUPPORTED', 'internal server error') : quay.message(500, 'Internal Server Error');
}
