/**
 * Applying an immutability policy to the tags that already exist (Quay's
 * apply_immutability_policy_to_existing_tags): every alive tag it covers becomes immutable and
 * loses a pending expiration. The request that creates or updates the policy examines up to
 * INLINE_TAG_BUDGET alive tags itself; whatever is left (a repository of 10,000 tags, a namespace
 * of many repositories) is queued, one pending item per repository, for the sweep, which resumes it
 * in bounded batches (SWEEP_TAG_BUDGET per item and run). Marking is conditional per tag, so a
 * concurrent move or delete never gets overwritten.
 */
import type { Clock } from '../clock.js';
import type { Store } from '../store/index.js';
import { WriteConflictError, repoPK } from '../store/index.js';
import type { ChangeRecord, ImmutabilityPolicy, LiveTag, PendingApplication } from '../store/index.js';
import { policyCovers } from './immutability-policy.js';
import { isAlive } from './tag-rules.js';

export const TAGS_PER_PAGE = 200;
/** Tags one transaction marks (two items each; DynamoDB allows 100 per transaction). */
export const MARK_BATCH = 40;
/** Alive tags the creating request examines before handing the rest to the sweep. */
export const INLINE_TAG_BUDGET = 1000;
/** Alive tags one sweep run examines per pending application. */
export const SWEEP_TAG_BUDGET = 2000;
const REPOSITORIES_PER_PAGE = 100;

export interface ApplyDeps {
  store: Store;
  clock: Clock;
}

export interface RepositoryApplication {
  marked: number;
  examined: number;
  /** The tag to resume after, or null when every alive tag was examined. */
  resumeAfter: string | null;
}

/** Applies `policy` to one repository's alive tags after `after`, examining at most `budget` of them. */
export async function applyToRepository(
  deps: ApplyDeps,
  namespace: string,
  repository: string,
  policy: ImmutabilityPolicy,
  after: string | undefined,
  budget: number,
): Promise<RepositoryApplication> {
  const pk = repoPK(namespace, repository);
  let marked = 0;
  let examined = 0;
  let cursor = after;
  for (;;) {
    const page = await deps.store.tags.listAliveTags(pk, deps.clock.now(), Math.min(TAGS_PER_PAGE, budget - examined), cursor);
    const covered = page.tags.filter((tag) => !tag.immutable && policyCovers(policy, tag.name));
    for (let index = 0; index < covered.length; index += MARK_BATCH) {
      marked += await markBatch(deps, pk, covered.slice(index, index + MARK_BATCH), policy);
    }
    examined += page.tags.length;
    cursor = page.tags.at(-1)?.name ?? cursor;
    if (!page.hasMore) return { marked, examined, resumeAfter: null };
    if (examined >= budget) return { marked, examined, resumeAfter: cursor ?? null };
  }
}

/** One transaction for the batch; when a tag changed meanwhile, each one again from a fresh read. */
async function markBatch(deps: ApplyDeps, pk: string, tags: LiveTag[], policy: ImmutabilityPolicy): Promise<number> {
  try {
    await deps.store.tags.markTagsImmutable(pk, tags, policy.uuid, null);
    return tags.length;
  } catch (error) {
    if (!(error instanceof WriteConflictError)) throw error;
  }
  let marked = 0;
  for (const tag of tags) {
    for (let attempt = 0; attempt < 3; attempt++) {
      const fresh = await deps.store.tags.getLiveTag(pk, tag.name);
      if (!fresh || !isAlive(fresh, deps.clock.now()) || fresh.immutable || !policyCovers(policy, fresh.name)) break;
      try {
        await deps.store.tags.markTagsImmutable(pk, [fresh], policy.uuid, null);
        marked++;
        break;
      } catch (error) {
        if (!(error instanceof WriteConflictError)) throw error;
      }
    }
  }
  return marked;
}

/** Quay's `tags_made_immutable_by_policy` entry (no performer): `repo` only for repository policies. */
export function madeImmutableByPolicyCount(namespace: string, repository: string | null, policy: ImmutabilityPolicy, count: number, at: number): ChangeRecord {
  return {
    kind: 'tags_made_immutable_by_policy',
    namespace,
    repository,
    performer: null,
    ip: null,
    at,
    metadata: {
      namespace,
      tag_pattern: policy.tagPattern,
      tag_pattern_matches: policy.tagPatternMatches,
      count,
      ...(repository !== null ? { repo: repository } : {}),
    },
  };
}

/**
 * After a create or update: applies the policy to the owner's alive tags (the repository's, or
 * every repository's of the namespace), inline up to INLINE_TAG_BUDGET tags, the rest queued for
 * the sweep. Records one `tags_made_immutable_by_policy` entry for what it marked. Returns the count.
 */
export async function applyPolicy(deps: ApplyDeps, owner: { namespace: string; repository?: string }, policy: ImmutabilityPolicy): Promise<number> {
  let budget = INLINE_TAG_BUDGET;
  let marked = 0;
  const queue = (repository: string, after?: string) =>
    deps.store.immutabilityPolicies.queueApplication({ namespace: owner.namespace, repository, policy, dueAt: deps.clock.now(), ...(after ? { after } : {}) });
  const visit = async (repository: string) => {
    if (budget <= 0) return queue(repository);
    const result = await applyToRepository(deps, owner.namespace, repository, policy, undefined, budget);
    budget -= result.examined;
    marked += result.marked;
    if (result.resumeAfter !== null) await queue(repository, result.resumeAfter);
  };
  if (owner.repository) await visit(owner.repository);
  else {
    let after: string | undefined;
    for (;;) {
      const page = await deps.store.immutabilityPolicies.listNamespaceRepositories(owner.namespace, REPOSITORIES_PER_PAGE, after);
      for (const repository of page.names) await visit(repository);
      if (!page.hasMore) break;
      after = page.names.at(-1);
    }
  }
  if (marked > 0) {
    await deps.store.immutabilityPolicies.recordChange(madeImmutableByPolicyCount(owner.namespace, owner.repository ?? null, policy, marked, deps.clock.now()));
  }
  return marked;
}

/**
 * The sweep's step for a pending application: continues it if its policy is still in force with
 * the same pattern (a deleted or changed policy ends it; an update queues its own), else drops it.
 */
export async function continueApplication(deps: ApplyDeps, app: PendingApplication): Promise<number> {
  const facts = await deps.store.access.loadRepositoryAccessFacts(app.namespace, app.repository, null);
  const inForce = [...(facts.repository?.immutabilityPolicies ?? []), ...(facts.namespace?.immutabilityPolicies ?? [])].find(
    (policy) => policy.uuid === app.policy.uuid && policy.tagPattern === app.policy.tagPattern && policy.tagPatternMatches === app.policy.tagPatternMatches,
  );
  if (!inForce) {
    await deps.store.immutabilityPolicies.advanceApplication(app, null, deps.clock.now());
    return 0;
  }
  const result = await applyToRepository(deps, app.namespace, app.repository, inForce, app.after, SWEEP_TAG_BUDGET);
  await deps.store.immutabilityPolicies.advanceApplication(app, result.resumeAfter, deps.clock.now());
  if (result.marked > 0) {
    const repository = inForce.scope === 'repository' ? app.repository : null;
    await deps.store.immutabilityPolicies.recordChange(madeImmutableByPolicyCount(app.namespace, repository, inForce, result.marked, deps.clock.now()));
  }
  return result.marked;
}
