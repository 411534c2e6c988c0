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
  | 'bad_request'
  /** A client's If-Match / If-None-Match / expected digest does not hold (412, nothing written). */
  | 'precondition_failed'
  /** A DataModelException Quay's view does not catch: 400 `{"message": ...}`. */
  | 'model_error'
  /** Quay's Unauthorized() for an authenticated caller: 403. */
  | 'forbidden'
  /** Quay's TagImmutable(tag, op): 409 `tag_immutable` (TagImmutableError). */
  | 'tag_immutable';

export class DomainError extends Error {
  override name = 'DomainError';
  constructor(
    readonly kind: DomainErrorKind,
    message: string,
  ) {
    super(message);
  }
}

/** An immutable tag refused an overwrite (move, re-create, restore, push) or a delete. */
export class TagImmutableError extends DomainError {
  constructor(
    readonly tag: string,
    readonly operation: 'overwrite' | 'delete',
  ) {
    super('tag_immutable', `Cannot ${operation} immutable tag '${tag}'`);
  }
}

export const notFound = (what = 'Not Found') => new DomainError('not_found', what);
export const invalidRequest = (message: string) => new DomainError('invalid_request', message);
export const badRequest = () => new DomainError('bad_request', 'bad request');
export const preconditionFailed = (message: string) => new DomainError('precondition_failed', message);
export const tagImmutable = (tags: string[]) => new DomainError('tag_immutable', `Tag is immutable: ${tags.join(', ')}`);
export const modelError = (message: string) => new DomainError('model_error', message);
export const forbidden = () => new DomainError('forbidden', 'Unauthorized');

/** A cursor whose position the store refuses was not handed out by this listing: 400. */
export function rejectForgedPosition(error: unknown): never {
  if (error instanceof InvalidPositionError) throw invalidRequest(INVALID_CURSOR);
  throw error;
}
