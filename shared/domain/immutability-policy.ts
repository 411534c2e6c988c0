/**
 * Immutability policies (Quay's data/model/immutability.py): validation of a policy config, and the
 * full-match evaluation of a tag name against the policies in force. Patterns run on RE2 (re2js):
 * linear time in the tag name, so no pattern and no tag name can make a check slow.
 */
import { RE2JS } from 're2js';
import type { ImmutabilityPolicy } from '../store/records.js';

export const MAX_TAG_PATTERN_LENGTH = 256;
/** Policies per namespace or repository: they are kept on its item (Quay has no limit). */
export const MAX_IMMUTABILITY_POLICIES = 100;

const compiled = new Map<string, RE2JS | null>();

/**
 * RE2 matches in time linear in the input, times the size of the compiled program; counted
 * repetitions (`.{0,1000}` three times is 6,000 instructions) would make that factor large, so a
 * program beyond this size is refused like a pattern that does not compile. Tag names are at most
 * 128 characters, so no useful pattern comes near it.
 */
export const MAX_PROGRAM_INSTRUCTIONS = 1000;

/** The compiled pattern (cached, bounded like Quay's LRU of 256), or the error text. */
function compile(pattern: string): RE2JS | string {
  const cached = compiled.get(pattern);
  if (cached) return cached;
  try {
    const regex = RE2JS.compile(pattern);
    if (programSize(regex) > MAX_PROGRAM_INSTRUCTIONS) return `pattern is too large (more than ${MAX_PROGRAM_INSTRUCTIONS} RE2 instructions)`;
    if (compiled.size >= 256) compiled.delete(compiled.keys().next().value as string);
    compiled.set(pattern, regex);
    return regex;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** The number of instructions of the compiled RE2 program (re2js keeps it on the compiled object). */
function programSize(regex: RE2JS): number {
  const program = (regex as unknown as { re2Input?: { prog?: { inst?: unknown[] } } }).re2Input?.prog?.inst;
  return Array.isArray(program) ? program.length : 0;
}

/** Quay's _matches_policy: a full match, inverted by `tagPatternMatches: false`; an error is "no match" before inversion. */
export function policyCovers(policy: Pick<ImmutabilityPolicy, 'tagPattern' | 'tagPatternMatches'>, tag: string): boolean {
  const regex = compile(policy.tagPattern);
  const matched = typeof regex === 'string' ? false : regex.matches(tag);
  return policy.tagPatternMatches ? matched : !matched;
}

/** The first policy that makes `tag` immutable: repository policies first, then the namespace's (Quay's order). */
export function coveringPolicy(policies: readonly ImmutabilityPolicy[], tag: string): ImmutabilityPolicy | null {
  const ordered = [...policies.filter((p) => p.scope === 'repository'), ...policies.filter((p) => p.scope === 'namespace')];
  return ordered.find((policy) => policyCovers(policy, tag)) ?? null;
}

export interface PolicyConfig {
  tagPattern: string;
  tagPatternMatches: boolean;
}

/** Quay's _parse_policy_config: the pattern trimmed, `tagPatternMatches` defaulting to true. */
export function parsePolicyConfig(body: { tagPattern: string; tagPatternMatches?: boolean }): PolicyConfig {
  return { tagPattern: body.tagPattern.trim(), tagPatternMatches: body.tagPatternMatches ?? true };
}

/** Quay's _validate_policy checks 1-3, in order: the message of the first that fails, or null. */
export function patternError(config: PolicyConfig): string | null {
  if (config.tagPattern === '') return 'tag_pattern is required and must be a non-empty string';
  if (config.tagPattern.length > MAX_TAG_PATTERN_LENGTH) return `tag_pattern must be ${MAX_TAG_PATTERN_LENGTH} characters or less`;
  const regex = compile(config.tagPattern);
  return typeof regex === 'string' ? `Invalid regex pattern: ${regex}` : null;
}

/** Check 5 (the same pattern string, whatever `tagPatternMatches`; an update excludes itself), then our bound on the count. */
export function duplicateError(config: PolicyConfig, existing: readonly ImmutabilityPolicy[], selfUuid?: string): string | null {
  if (existing.some((policy) => policy.uuid !== selfUuid && policy.tagPattern === config.tagPattern)) {
    return 'A policy with the same tag_pattern already exists';
  }
  if (!selfUuid && existing.length >= MAX_IMMUTABILITY_POLICIES) return `at most ${MAX_IMMUTABILITY_POLICIES} immutability policies are allowed`;
  return null;
}

/** Quay's get_view. */
export function policyView(policy: ImmutabilityPolicy) {
  return { uuid: policy.uuid, tagPattern: policy.tagPattern, tagPatternMatches: policy.tagPatternMatches };
}
