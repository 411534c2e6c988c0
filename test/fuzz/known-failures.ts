/**
 * THE allow-list of the fuzz suite: each entry is one class of failure the suite finds on today's
 * code, with the issue item whose fix removes it and a reproducer. A violation matched by an entry is
 * counted and reported but does not fail the run; anything else fails it. Delete an entry when its
 * fix merges: the replay test in routes.fuzz.test.ts fails while an entry's reproducer no longer
 * reproduces, so a stale entry cannot hide a regression for long. `FUZZ_STRICT=1` ignores this list.
 *
 * Empty: every class found so far is fixed, each with its own test (test/e2e/hostile-input-classes.test.ts).
 * Add an entry only for a failure that cannot be fixed in the change that finds it.
 */
import type { Violation } from './oracle.js';
import type { FuzzCase } from './runner.js';

export type Reproducer = Omit<FuzzCase, 'token' | 'form'> & { tokenLabel: string; form?: FuzzCase['form'] };

export interface KnownFailure {
  id: string;
  /** Issue and item, e.g. "10.1". */
  issue: string;
  summary: string;
  /** A request that shows it (the token is the suite's token of that label; see tokens.ts). */
  reproducer: Reproducer;
  /** Requests that must succeed first (e.g. the push whose listing then breaks). */
  setup?: Reproducer[];
  matches(violation: Violation): boolean;
}

export const knownFailures: KnownFailure[] = [];
