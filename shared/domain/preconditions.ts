/**
 * Conditional tag writes (If-Match / If-None-Match, and a batch's expected digests). The check
 * here answers a failed expectation with a readable 412 before any write; the same expectation
 * also rides on the write's transaction as a condition on the tag's pointer, so a writer racing
 * between the read and the write makes the write fail (and the retry, re-reading, answer 412).
 */
import type { LiveTag, TagExpectation } from '../store/index.js';
import { preconditionFailed } from './errors.js';
import { isAlive } from './tag-rules.js';

export type { TagExpectation };

/** Why the pointer fails the expectation (naming the current digest), or null when it holds. */
export function expectationFailure(tag: string, current: LiveTag | null, nowMs: number, expectation: TagExpectation): string | null {
  const alive = current !== null && isAlive(current, nowMs);
  if (expectation.kind === 'not_alive') return alive ? `Tag ${tag} is alive at ${current.manifestDigest}` : null;
  if (!alive) return `Tag ${tag} is not alive`;
  return current.manifestDigest === expectation.digest ? null : `Tag ${tag} is at ${current.manifestDigest}`;
}

/** Throws the 412 outcome when the expectation (if any) does not hold. */
export function requireExpectation(tag: string, current: LiveTag | null, nowMs: number, expectation: TagExpectation | undefined): void {
  if (!expectation) return;
  const failure = expectationFailure(tag, current, nowMs, expectation);
  if (failure) throw preconditionFailed(failure);
}

/** The store's form of an expectation, checked at `nowMs` by the write's transaction. */
export function storeExpectation(expectation: TagExpectation | undefined, nowMs: number) {
  return expectation ? { expect: { expectation, nowMs } } : {};
}
