import { InvalidPositionError } from '../store/errors.js';
import { INVALID_CURSOR } from './cursor.js';

/**
 * Outcomes of domain operations that are the caller's fault or a lost race. The HTTP layer maps
 * them to Quay's bodies (or OCI's), so domain code never formats a response.
 */
export type DomainErrorKind =
  /** Something named by the request does not exist (or is not alive): Quay's NotFound. */
  | 'not_found'
  /** A request Quay rejects with InvalidRequest and this message. */
  | 'invalid_request'
  /** A request Quay rejects with a bare abort(400). */
  | 'bad_request';

export class DomainError extends Error {
  override name = 'DomainError';
  constructor(
    readonly kind: DomainErrorKind,
    message: string,
  ) {
    super(message);
  }
}

export const notFound = (what = 'Not Found') => new DomainError('not_found', what);
export const invalidRequest = (message: string) => new DomainError('invalid_request', message);
export const badRequest = () => new DomainError('bad_request', 'bad request');

/** A cursor whose position the store refuses was not handed out by this listing: 400. */
export function rejectForgedPosition(error: unknown): never {
  if (error instanceof InvalidPositionError) throw invalidRequest(INVALID_CURSOR);
  throw error;
}
