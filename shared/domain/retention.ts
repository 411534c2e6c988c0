/**
 * THE retention decision: which alive tags of a repository the auto-prune policies in force prune
 * at an instant, and why. Pure: the sweep (retention-run.ts), the preview endpoint and the tag
 * protection explanation (prunePlanFor) all call it, so a run at T prunes exactly what a preview at T
 * shows. Quay's rules (reference §4.7, §4.8): candidates are alive, not immutable and not Cosign
 * signature/attestation/SBOM tags; creation_date policies apply first, then number_of_tags, each in
 * creation order, and each sees what the previous ones left.
 */
import type { AutoprunePolicy } from './retention-policy.js';
import { byCreation, compilePattern, durationMs } from './retention-policy.js';

/** An alive tag as the decision needs it. */
export interface RetentionTag {
  name: string;
  manifestDigest: string;
  /** Epoch ms: the tag's last push, move or restore (Quay's lifetime_start). */
  start: number;
  immutable?: boolean;
}

export interface TagDecision {
  name: string;
  manifest_digest: string;
  start_ts: number;
  decision: 'keep' | 'prune';
  policy_uuid: string | null;
  reason: string;
}

/** Cosign's signature, attestation and SBOM tags, which Quay never prunes. */
const COSIGN_TAG = /^sha256-[0-9a-f]{64}\.(sig|att|sbom)$/;

/** Newest start first, then by name: the order number_of_tags counts in (Quay leaves ties undefined). */
export function newestFirst(a: RetentionTag, b: RetentionTag): number {
  return b.start - a.start || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

/** Which tags a policy looks at; a pattern that does not compile selects nothing. */
function selector(policy: AutoprunePolicy): (name: string) => boolean {
  if (policy.tagPattern === null) return () => true;
  const matches = compilePattern(policy.tagPattern);
  if (!matches) return () => false;
  return policy.tagPatternMatches ? matches : (name) => !matches(name);
}

/** Namespace and repository policies as one list in Quay's order: creation_date first, then counts. */
export function orderPolicies(policies: readonly AutoprunePolicy[]): AutoprunePolicy[] {
  const ordered = [...policies].sort(byCreation);
  return [...ordered.filter((policy) => policy.method === 'creation_date'), ...ordered.filter((policy) => policy.method === 'number_of_tags')];
}

/**
 * Every alive tag once (newest first), `keep` or `prune`, with the deciding policy and a reason.
 * `aliveTags` must be the tags alive at `nowMs`; `policies` the namespace's and the repository's.
 */
export function decideRetention(aliveTags: readonly RetentionTag[], policies: readonly AutoprunePolicy[], nowMs: number): TagDecision[] {
  const tags = [...aliveTags].sort(newestFirst);
  const outcome = new Map<string, { policy: string | null; reason: string; prune: boolean }>();
  let remaining: RetentionTag[] = [];
  for (const tag of tags) {
    if (tag.immutable === true) outcome.set(tag.name, { policy: null, reason: 'immutable tags are never pruned', prune: false });
    else if (COSIGN_TAG.test(tag.name)) outcome.set(tag.name, { policy: null, reason: 'signature, attestation and SBOM tags are never pruned', prune: false });
    else remaining.push(tag);
  }
  for (const policy of orderPolicies(policies)) {
    const selects = selector(policy);
    const selected = remaining.filter((tag) => selects(tag.name));
    let pruned: RetentionTag[];
    let reason: string;
    if (policy.method === 'creation_date') {
      const maxAge = durationMs(String(policy.value));
      pruned = maxAge === null ? [] : selected.filter((tag) => nowMs - tag.start > maxAge);
      reason = `created more than ${policy.value} ago`;
    } else {
      const keep = typeof policy.value === 'number' && policy.value > 0 ? policy.value : Infinity;
      pruned = selected.slice(keep);
      reason = `not among the newest ${policy.value} ${policy.tagPattern === null ? '' : 'selected '}tags`;
    }
    for (const tag of pruned) outcome.set(tag.name, { policy: policy.uuid, reason, prune: true });
    const gone = new Set(pruned);
    remaining = remaining.filter((tag) => !gone.has(tag));
  }
  const keepReason = policies.length ? 'no policy prunes it' : 'no auto-prune policy in force';
  return tags.map((tag) => {
    const decided = outcome.get(tag.name) ?? { policy: null, reason: keepReason, prune: false };
    return {
      name: tag.name,
      manifest_digest: tag.manifestDigest,
      start_ts: Math.floor(tag.start / 1000),
      decision: decided.prune ? 'prune' : 'keep',
      policy_uuid: decided.policy,
      reason: decided.reason,
    };
  });
}

/**
 * For the tag protection explanation: the policy that would prune `tagName` at `nowMs` and why, or
 * null when it would be kept (or is not alive). Same inputs as decideRetention.
 */
export function prunePlanFor(
  tagName: string,
  aliveTags: readonly RetentionTag[],
  policies: readonly AutoprunePolicy[],
  nowMs: number,
): { policy_uuid: string; method: string; reason: string } | null {
  const decision = decideRetention(aliveTags, policies, nowMs).find((entry) => entry.name === tagName);
  if (decision?.decision !== 'prune') return null;
  const policy = policies.find((candidate) => candidate.uuid === decision.policy_uuid);
  return { policy_uuid: decision.policy_uuid as string, method: policy?.method ?? 'unknown', reason: decision.reason };
}
