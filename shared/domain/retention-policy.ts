/**
 * Auto-prune policies as current Quay defines them (method, value, tagPattern, tagPatternMatches):
 * parsing, validation in Quay's order with Quay's messages, the API view, and the two fixes
 * documented in docs/differences-from-quay.md: a value must be positive, and a pattern must compile
 * (RE2 syntax, linear time, full match). A stored pattern that does not compile selects nothing.
 */
import { RE2JS } from 're2js';

export type AutopruneMethod = 'number_of_tags' | 'creation_date';

export interface AutoprunePolicy {
  uuid: string;
  method: AutopruneMethod;
  /** As the client sent it: an integer count, or a duration string such as "2w". */
  value: number | string;
  tagPattern: string | null;
  tagPatternMatches: boolean;
  /** Epoch ms of creation: policies apply in the order they were created (Quay's list order). */
  createdAt: number;
}

/** A policy without its identity: what a client sends, once validated. */
export type PolicyConfig = Pick<AutoprunePolicy, 'method' | 'value' | 'tagPattern' | 'tagPatternMatches'>;

/** The longest tag pattern accepted (as immutability policies). */
export const MAX_TAG_PATTERN_LENGTH = 256;
/** The longest duration string accepted ("99999999d" and the like). */
export const MAX_DURATION_LENGTH = 16;

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000, y: 31_536_000_000 };
const DURATION = /^([0-9]+)([smhdwy])$/;

/** Quay's duration syntax (last character the unit, `m` = minutes, `y` = 365 days) in ms; null if invalid or not positive. */
export function durationMs(value: string): number | null {
  const match = DURATION.exec(value);
  if (!match) return null;
  const ms = Number(match[1]) * UNIT_MS[match[2]];
  return ms > 0 && Number.isSafeInteger(ms) ? ms : null;
}

/** The tag filter of a pattern, or null when the pattern does not compile. Full match, as immutability policies. */
export function compilePattern(pattern: string): ((name: string) => boolean) | null {
  if (pattern === '' || pattern.length > MAX_TAG_PATTERN_LENGTH) return null;
  try {
    const compiled = RE2JS.compile(pattern);
    return (name) => compiled.matches(name);
  } catch {
    return null;
  }
}

/** Why a pattern does not compile (the message of the 400), or null when it does. */
function patternError(pattern: string): string | null {
  try {
    RE2JS.compile(pattern);
    return null;
  } catch (error) {
    return `Invalid regex pattern: ${(error as Error).message}`.slice(0, 300);
  }
}

export class PolicyValidationError extends Error {
  override name = 'PolicyValidationError';
}

export interface PolicyBody {
  method: string;
  value: number | string;
  tagPattern?: string;
  tagPatternMatches?: boolean;
}

/** Quay's validation (assert_valid_*_autoprune_policy), in its order, plus our two fixes. */
export function parsePolicy(body: PolicyBody): PolicyConfig {
  if (body.method !== 'number_of_tags' && body.method !== 'creation_date') throw new PolicyValidationError('Invalid method provided');
  const valid =
    body.method === 'number_of_tags'
      ? typeof body.value === 'number' && Number.isSafeInteger(body.value) && body.value > 0
      : typeof body.value === 'string' && durationMs(body.value) !== null;
  if (!valid) throw new PolicyValidationError('Invalid value given for method type');
  const tagPattern = body.tagPattern === undefined ? null : body.tagPattern.trim();
  if (tagPattern === '') throw new PolicyValidationError('tag_pattern cannot be empty');
  if (tagPattern !== null) {
    if (tagPattern.length > MAX_TAG_PATTERN_LENGTH) throw new PolicyValidationError(`tag_pattern must be ${MAX_TAG_PATTERN_LENGTH} characters or less`);
    const error = patternError(tagPattern);
    if (error) throw new PolicyValidationError(error);
  }
  return { method: body.method, value: body.value, tagPattern, tagPatternMatches: body.tagPatternMatches ?? true };
}

/** Quay's duplicate rule: same method, value (5 and "5" differ), pattern and flag. */
export function isDuplicate(config: PolicyConfig, existing: readonly PolicyConfig[]): boolean {
  return existing.some(
    (other) =>
      other.method === config.method &&
      other.value === config.value &&
      other.tagPattern === config.tagPattern &&
      other.tagPatternMatches === config.tagPatternMatches,
  );
}

export const duplicateMessage = (scope: 'namespace' | 'repository') =>
  `Existing policy with same values for this ${scope}, duplicate policies are not permitted`;

/** Quay's view of a policy. */
export function policyView(policy: AutoprunePolicy) {
  return {
    uuid: policy.uuid,
    method: policy.method,
    value: policy.value,
    tagPattern: policy.tagPattern,
    tagPatternMatches: policy.tagPatternMatches,
  };
}

/** Quay's audit metadata of a policy create or update. */
export function policyLogMetadata(config: PolicyConfig, namespace: string, repository: string | null) {
  return {
    method: config.method,
    value: config.value,
    tag_pattern: config.tagPattern,
    tag_pattern_matches: config.tagPatternMatches,
    namespace,
    ...(repository === null ? {} : { repo: repository }),
  };
}

/** Policies in the order Quay applies them (creation order; creation_date before number_of_tags is the engine's job). */
export function byCreation(a: AutoprunePolicy, b: AutoprunePolicy): number {
  return a.createdAt - b.createdAt || (a.uuid < b.uuid ? -1 : a.uuid > b.uuid ? 1 : 0);
}
