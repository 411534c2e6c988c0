/** Immutability-policy rules: Quay's full-match semantics on RE2, validation order and messages. */
import { describe, expect, it } from 'vitest';
import { coveringPolicy, duplicateError, parsePolicyConfig, patternError, policyCovers } from '../../shared/domain/immutability-policy.js';
import type { ImmutabilityPolicy } from '../../shared/store/records.js';

const policy = (tagPattern: string, tagPatternMatches = true, scope: ImmutabilityPolicy['scope'] = 'repository', uuid = tagPattern): ImmutabilityPolicy => ({
  uuid,
  scope,
  tagPattern,
  tagPatternMatches,
});

describe('matching', () => {
  it('is a full match, inverted by tagPatternMatches: false', () => {
    expect(policyCovers(policy('[0-9]*'), '123')).toBe(true);
    expect(policyCovers(policy('[0-9]*'), 'redis')).toBe(false);
    expect(policyCovers(policy('v1'), 'v1.2')).toBe(false);
    expect(policyCovers(policy('^v1$'), 'v1')).toBe(true);
    expect(policyCovers(policy('dev-.*', false), 'release')).toBe(true);
    expect(policyCovers(policy('dev-.*', false), 'dev-1')).toBe(false);
    expect(policyCovers(policy('(?i)LATEST'), 'latest')).toBe(true);
  });

  it('checks repository policies before the namespace ones', () => {
    const found = coveringPolicy([policy('.*', true, 'namespace', 'ns'), policy('v.*', true, 'repository', 'repo')], 'v1');
    expect(found?.uuid).toBe('repo');
    expect(coveringPolicy([policy('x')], 'y')).toBeNull();
  });
});

describe('validation', () => {
  it("gives Quay's messages in Quay's order", () => {
    expect(parsePolicyConfig({ tagPattern: '  a  ' })).toEqual({ tagPattern: 'a', tagPatternMatches: true });
    expect(patternError(parsePolicyConfig({ tagPattern: '   ' }))).toBe('tag_pattern is required and must be a non-empty string');
    expect(patternError({ tagPattern: '('.repeat(257), tagPatternMatches: true })).toBe('tag_pattern must be 256 characters or less');
    expect(patternError({ tagPattern: '(a', tagPatternMatches: true })).toMatch(/^Invalid regex pattern: .*missing closing \)/);
    expect(patternError({ tagPattern: 'a(?=b)', tagPatternMatches: true })).toMatch(/^Invalid regex pattern: /);
    expect(patternError({ tagPattern: '.{0,1000}.{0,1000}', tagPatternMatches: true })).toMatch(/^Invalid regex pattern: pattern is too large/);
    expect(patternError({ tagPattern: 'v[0-9]+\\.[0-9]+', tagPatternMatches: true })).toBeNull();
  });

  it('refuses a duplicate pattern whatever tagPatternMatches, except the policy itself on update', () => {
    const existing = [policy('v.*', true, 'repository', 'u1')];
    expect(duplicateError({ tagPattern: 'v.*', tagPatternMatches: false }, existing)).toBe('A policy with the same tag_pattern already exists');
    expect(duplicateError({ tagPattern: 'v.*', tagPatternMatches: false }, existing, 'u1')).toBeNull();
    expect(duplicateError({ tagPattern: 'w.*', tagPatternMatches: true }, existing)).toBeNull();
  });
});
