/**
 * Tag protection: changing a tag's immutable flag (Quay's change_tag_immutability) and explaining
 * why a tag is protected (`GET …/tag/{tag}/protection`). Both read the tag the way the writes do
 * (aliveTag) and the explanation uses the same flag and policy matching the writes enforce.
 */
import { WriteConflictError, withConflictRetry } from '../store/index.js';
import type { LiveTag } from '../store/index.js';
import { forbidden, invalidRequest, modelError } from './errors.js';
import { aliveTag, tagChange } from './tag-operations.js';
import type { Actor, TagDeps } from './tag-operations.js';

/**
 * PUT {immutable}: sets or unsets the flag of an alive tag. Unsetting an immutable tag needs
 * repository admin (`mayUnset`); a tag with an expiration cannot be made immutable
 * (FEATURE_IMMUTABLE_TAGS_CAN_EXPIRE off). Setting the value it already has writes only the audit
 * entry, as Quay logs it anyway.
 */
export async function changeImmutability(deps: TagDeps, actor: Actor, tag: string, immutable: boolean, mayUnset: boolean): Promise<void> {
  try {
    await withConflictRetry(async () => {
      const current = await aliveTag(deps, actor, tag);
      const previous = current.immutable === true;
      if (!immutable && previous && !mayUnset) throw forbidden();
      if (immutable && current.end !== undefined) {
        throw modelError(
          `Cannot make tag '${tag}' immutable: tag has expiration set. Clear expiration first or enable FEATURE_IMMUTABLE_TAGS_CAN_EXPIRE.`,
        );
      }
      const change = tagChange(actor, 'change_tag_immutability', deps.clock.now(), {
        username: actor.performer?.username ?? null,
        repo: actor.repository,
        tag,
        namespace: actor.namespace,
        immutable,
        previous_immutable: previous,
      });
      // The same value keeps its origin (a policy's mark stays the policy's).
      const policy = immutable && previous ? current.immutablePolicy : undefined;
      await deps.store.tags.setTagImmutability(actor.pk, current, { immutable, ...(policy ? { policy } : {}) }, change);
    }, 10);
  } catch (error) {
    if (error instanceof WriteConflictError) throw invalidRequest('Could not update tag immutability; Tag has probably changed');
    throw error;
  }
}

/** Why a tag is immutable: set through the API, or by which policy. */
export type ImmutableBy = { kind: 'api' } | { kind: 'policy'; policy_uuid: string };

/**
 * What a retention policy evaluator answers for one tag: which policy would prune it at the next
 * run and why (the handler passes retention's own decision function; null: none would).
 */
export type PruneVerdict = { policy_uuid: string; method: string; reason: string } | null;
export type PruneEvaluator = (tag: LiveTag, nowMs: number) => Promise<PruneVerdict>;
const noRetention: PruneEvaluator = async () => null;

export interface TagProtection {
  tag: string;
  immutable: boolean;
  immutable_by: ImmutableBy | null;
  expiration_ts: number | null;
  prune: PruneVerdict;
}

/** The origin of a tag's immutability, as its range records it. */
export function immutableBy(tag: Pick<LiveTag, 'immutable' | 'immutablePolicy'>): ImmutableBy | null {
  if (!tag.immutable) return null;
  return tag.immutablePolicy ? { kind: 'policy', policy_uuid: tag.immutablePolicy } : { kind: 'api' };
}

/**
 * The protection of an alive tag (404 otherwise). An immutable tag is never pruned (Quay's
 * candidates exclude it), so the evaluator is asked only about the others.
 */
export async function explainProtection(deps: TagDeps, actor: Actor, tag: string, evaluatePrune: PruneEvaluator = noRetention): Promise<TagProtection> {
  const current = await aliveTag(deps, actor, tag);
  const by = immutableBy(current);
  return {
    tag,
    immutable: by !== null,
    immutable_by: by,
    expiration_ts: current.end === undefined ? null : Math.floor(current.end / 1000),
    prune: by ? null : await evaluatePrune(current, deps.clock.now()),
  };
}
