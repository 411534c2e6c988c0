/**
 * THE allow-list of the fuzz suite: each entry is one class of failure the suite finds on today's
 * code, with the issue item that fixes it and a reproducer. A violation matched by an entry is
 * counted and reported but does not fail the run; anything else fails it. The coordinator deletes an
 * entry when its fix merges: the replay test (routes.fuzz.test.ts) fails while an entry's reproducer
 * no longer reproduces, so stale entries cannot linger. `FUZZ_STRICT=1` ignores this list.
 */
import type { Violation } from './oracle.js';
import type { FuzzCase } from './runner.js';

export interface KnownFailure {
  id: string;
  /** Issue and item, e.g. "10.1". */
  issue: string;
  summary: string;
  /** A request that shows it (token and form resolved from the suite's token pool by label). */
  reproducer: Omit<FuzzCase, 'token'> & { tokenLabel: string };
  matches(violation: Violation): boolean;
}

export const knownFailures: KnownFailure[] = [];
