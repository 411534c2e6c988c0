/**
 * The retention decision and Quay's policy rules as pure functions: Quay's evaluation order (its
 * docstring example), candidates, patterns (full match, RE2, a broken stored pattern selects
 * nothing), durations and the explanation helper for tag protection.
 */
import { describe, expect, it } from 'vitest';
import { decideRetention, prunePlanFor } from '../../shared/domain/retention.js';
import type { RetentionTag } from '../../shared/domain/retention.js';
import { PolicyValidationError, durationMs, parsePolicy } from '../../shared/domain/retention-policy.js';
import type { AutoprunePolicy } from '../../shared/domain/retention-policy.js';

const NOW = 1_700_000_000_000;
const HOUR = 3_600_000;
const tag = (name: string, ageHours: number, immutable = false): RetentionTag => ({ name, manifestDigest: `sha256:${name}`, start: NOW - ageHours * HOUR, immutable });
let order = 0;
const policy = (method: AutoprunePolicy['method'], value: number | string, tagPattern: string | null = null, tagPatternMatches = true): AutoprunePolicy => ({
  uuid: `p${++order}`, method, value, tagPattern, tagPatternMatches, createdAt: order,
});
const pruned = (tags: RetentionTag[], policies: AutoprunePolicy[]) =>
  decideRetention(tags, policies, NOW).filter((entry) => entry.decision === 'prune').map((entry) => entry.name);

describe('decideRetention', () => {
  it('applies creation_date before number_of_tags, each seeing what the previous left (Quay docstring)', () => {
    const tags = [tag('t1', 1), tag('t2', 2), tag('t3', 3), tag('old1', 50), tag('old2', 60)];
    // Count first in the list, age second: Quay still applies age first, so count prunes nothing.
    expect(pruned(tags, [policy('number_of_tags', 4), policy('creation_date', '1d')])).toEqual(['old1', 'old2']);
  });

  it('never prunes immutable or Cosign tags, and they do not count', () => {
    const cosign = `sha256-${'b'.repeat(64)}.att`;
    const tags = [tag('new', 1), tag(cosign, 2), tag('locked', 3, true), tag('mid', 4), tag('old', 5)];
    expect(pruned(tags, [policy('number_of_tags', 1)])).toEqual(['mid', 'old']);
    expect(pruned([tag(`sha256-${'B'.repeat(64)}.sig`, 9)], [policy('creation_date', '1h')])).toEqual([`sha256-${'B'.repeat(64)}.sig`]); // uppercase hex: not Cosign's name
  });

  it('full-matches patterns; tagPatternMatches false selects the others; a broken pattern selects nothing', () => {
    const tags = [tag('v1', 1), tag('v2-rc', 2), tag('dev', 3)];
    expect(pruned(tags, [policy('creation_date', '1s', 'v[0-9]')])).toEqual(['v1']);
    expect(pruned(tags, [policy('creation_date', '1s', 'v[0-9]', false)])).toEqual(['v2-rc', 'dev']);
    expect(pruned(tags, [policy('creation_date', '1s', '(', false)])).toEqual([]);
    expect(pruned(tags, [policy('creation_date', '1s', '', false)])).toEqual([]);
  });

  it('lists every tag once with the deciding policy and a reason', () => {
    const count = policy('number_of_tags', 1);
    const decisions = decideRetention([tag('a', 1), tag('b', 2)], [count], NOW);
    expect(decisions).toEqual([
      { name: 'a', manifest_digest: 'sha256:a', start_ts: Math.floor((NOW - HOUR) / 1000), decision: 'keep', policy_uuid: null, reason: 'no policy prunes it' },
      { name: 'b', manifest_digest: 'sha256:b', start_ts: Math.floor((NOW - 2 * HOUR) / 1000), decision: 'prune', policy_uuid: count.uuid, reason: 'not among the newest 1 tags' },
    ]);
    expect(prunePlanFor('b', [tag('a', 1), tag('b', 2)], [count], NOW)).toEqual({ policy_uuid: count.uuid, method: 'number_of_tags', reason: 'not among the newest 1 tags' });
    expect(prunePlanFor('a', [tag('a', 1), tag('b', 2)], [count], NOW)).toBeNull();
  });
});

describe('policy validation', () => {
  it('parses Quay durations (m = minutes, y = 365 days) and refuses zero, negatives and other forms', () => {
    expect([durationMs('90m'), durationMs('2w'), durationMs('1y')]).toEqual([90 * 60_000, 14 * 24 * HOUR, 365 * 24 * HOUR]);
    for (const bad of ['0d', '-1d', '+5d', ' 5d', '1_0d', '5D', '1.5d', '5', '2 w', '']) expect(durationMs(bad), bad).toBeNull();
  });

  it('trims the pattern, defaults tagPatternMatches to true, refuses broken patterns', () => {
    expect(parsePolicy({ method: 'number_of_tags', value: 3, tagPattern: ' ^v ' })).toEqual({ method: 'number_of_tags', value: 3, tagPattern: '^v', tagPatternMatches: true });
    expect(() => parsePolicy({ method: 'number_of_tags', value: 3, tagPattern: 'a{2,1}' })).toThrow(PolicyValidationError);
    expect(() => parsePolicy({ method: 'number_of_tags', value: 3, tagPattern: '(?=x)' })).toThrow(/Invalid regex pattern/);
    expect(() => parsePolicy({ method: 'number_of_tags', value: 3, tagPattern: 'x'.repeat(257) })).toThrow(/256 characters or less/);
  });
});
