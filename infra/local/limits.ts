/**
 * What API Gateway (HTTP API) and Lambda enforce, so a request that works locally cannot hit a limit
 * first in production (docs/api.md §2.2 lists the answers):
 * - API Gateway refuses request payloads over 10 MB with 413;
 * - Lambda refuses a synchronous invocation whose event exceeds 6 MB (the gateway answers 413) and
 *   fails one whose response exceeds 6 MB (Function.ResponseSizeTooLarge: the gateway answers 500);
 * - the integration times out after 30 s (503);
 * - the request line and headers may take 10 KB together (the gateway answers 431 beyond).
 */

/** API Gateway's maximum request payload. */
export const MAX_REQUEST_BODY_BYTES = 10 * 1024 * 1024;
/** Lambda's synchronous invocation payload limit, for the event and for the response alike. */
export const MAX_INVOCATION_PAYLOAD_BYTES = 6 * 1024 * 1024;
/** API Gateway's maximum integration timeout, counted from the start of the request. */
export const INTEGRATION_TIMEOUT_MS = 30_000;
/** API Gateway's limit on the request line and header values together. */
export const MAX_HEADER_BYTES = 10 * 1024;

/** The gateway's own answers: status and `{"message": ...}` body, as API Gateway sends them. */
export const GATEWAY_ERRORS = {
  badRequest: { status: 400, message: 'Bad Request' },
  notFound: { status: 404, message: 'Not Found' },
  requestTimeout: { status: 408, message: 'Request Timeout' },
  tooLarge: { status: 413, message: 'Request Entity Too Large' },
  headersTooLarge: { status: 431, message: 'Request Header Fields Too Large' },
  internal: { status: 500, message: 'Internal Server Error' },
  unavailable: { status: 503, message: 'Service Unavailable' },
} as const;

export type GatewayError = (typeof GATEWAY_ERRORS)[keyof typeof GATEWAY_ERRORS];
