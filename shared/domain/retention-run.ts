/**
 * Auto-prune runs: read a repository's alive tags and the policies in force, decide with THE decision
 * function (retention.ts), and soft-delete each tag to prune with the ordinary delete transaction,
 * conditioned on the pointer version that was decided on: a tag a user moved, deleted or restored
 * meanwhile is not pruned, and the repository is decided again from a fresh read. Each run that
 * pruned something is logged with its operation id, for the run log and undo.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { Store } from '../store/index.js';
import { WriteConflictError, repoPK } from '../store/index.js';
import type { AutopruneRun, ChangeRecord, LiveTag, PrunedEntry } from '../store/index.js';
import { decideRetention, prunePlanFor } from './retention.js';
import type { TagDecision } from './retention.js';
import type { AutoprunePolicy } from './retention-policy.js';

export interface RetentionDeps {
  store: Store;
  clock: Clock;
}

export interface RepositoryRef {
  namespace: string;
  repository: string;
}

/** A run prunes at most this many tags per repository (the log item stays small); the next run continues. */
export const MAX_PRUNES_PER_RUN = 1000;
/** Decide again from a fresh read at most this often when users change tags during a run. */
const MAX_ATTEMPTS = 3;

/** The policies in force for a repository: its namespace's, then its own. */
export async function policiesInForce(store: Store, ref: RepositoryRef): Promise<AutoprunePolicy[]> {
  const [namespacePolicies, repositoryPolicies] = await Promise.all([
    store.retention.listPolicies({ namespace: ref.namespace, repository: null }),
    store.retention.listPolicies({ namespace: ref.namespace, repository: ref.repository }),
  ]);
  return [...namespacePolicies, ...repositoryPolicies];
}

/** The decision over what the store holds at `nowMs` (the preview, and each attempt of a run). */
export async function decideRepository(store: Store, ref: RepositoryRef, policies: readonly AutoprunePolicy[], nowMs: number) {
  const { tags, read } = await store.retention.listAlivePointers(repoPK(ref.namespace, ref.repository), nowMs);
  return { tags, read, decisions: decideRetention(tags, policies, nowMs) };
}

/**
 * For the tag protection explanation: the policy in force that would prune `tagName` at `nowMs`
 * and why, or null (kept, or not alive). Reads the policies and the alive tags: three queries.
 */
export async function prunePlanForTag(store: Store, ref: RepositoryRef, tagName: string, nowMs: number) {
  const policies = await policiesInForce(store, ref);
  if (!policies.length) return null;
  const { tags } = await store.retention.listAlivePointers(repoPK(ref.namespace, ref.repository), nowMs);
  return prunePlanFor(tagName, tags, policies, nowMs);
}

/** The `autoprune_tag_delete` change: Quay's metadata plus the run's operation id. */
function pruneChange(ref: RepositoryRef, tag: string, at: number, operationId: string): ChangeRecord {
  return {
    kind: 'autoprune_tag_delete',
    namespace: ref.namespace,
    repository: ref.repository,
    performer: null,
    ip: null,
    at,
    metadata: { performer: 'autoprune worker', namespace: ref.namespace, repo: ref.repository, tag, operation_id: operationId },
  };
}

export interface RepositoryRunResult {
  pruned: PrunedEntry[];
  /** Items read (index pages). */
  read: number;
  operationId: string | null;
}

/** A run id that sorts by time (the run log lists newest first by key). */
export const newOperationId = (atMs: number) => `${String(atMs).padStart(13, '0')}-${randomUUID()}`;

/** Prunes one repository under `policies` at the clock's now; logs the run when it pruned anything. */
export async function pruneRepository(deps: RetentionDeps, ref: RepositoryRef, policies: readonly AutoprunePolicy[], windowS: number): Promise<RepositoryRunResult> {
  const result: RepositoryRunResult = { pruned: [], read: 0, operationId: null };
  if (!policies.length) return result;
  const now = deps.clock.now();
  const operationId = newOperationId(now);
  const pk = repoPK(ref.namespace, ref.repository);
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const { tags, read, decisions } = await decideRepository(deps.store, ref, policies, now);
    result.read += read;
    const pointers = new Map<string, LiveTag>(tags.map((tag) => [tag.name, tag]));
    let conflicted = false;
    for (const decision of decisions.filter((entry: TagDecision) => entry.decision === 'prune')) {
      if (result.pruned.length >= MAX_PRUNES_PER_RUN) break;
      const pointer = pointers.get(decision.name) as LiveTag;
      // Never end a range before it began (a lagging clock), as a user delete.
      const at = Math.max(now, pointer.start);
      try {
        await deps.store.tags.deleteTag({ pk, current: pointer, nowMs: at, windowS, change: pruneChange(ref, pointer.name, at, operationId) });
        result.pruned.push({ tag: pointer.name, manifestDigest: pointer.manifestDigest, policyUuid: decision.policy_uuid as string, start: pointer.start });
      } catch (error) {
        // The tag changed since it was read (moved, deleted, restored, or a stale index row): the
        // user's write wins; what is left is decided again from a fresh read.
        if (!(error instanceof WriteConflictError)) throw error;
        conflicted = true;
      }
    }
    if (!conflicted || result.pruned.length >= MAX_PRUNES_PER_RUN) break;
  }
  if (result.pruned.length) {
    result.operationId = operationId;
    const run: AutopruneRun = { operationId, at: now, pruned: result.pruned };
    await deps.store.retention.putRun(ref.namespace, ref.repository, run, now + windowS * 1000);
  }
  return result;
}

/**
 * The preview: every alive tag at the clock's now, decided by the same function as the run, under
 * the saved policies or (`trial`) policies the client sent. It writes nothing. Trial policies have
 * no uuid: their decisions name them by position in the reason, with `policy_uuid` null.
 */
export async function previewRepository(deps: RetentionDeps, ref: RepositoryRef, trial: readonly Omit<AutoprunePolicy, 'uuid' | 'createdAt'>[] | null) {
  const now = deps.clock.now();
  const policies = trial ? trial.map((config, index) => ({ ...config, uuid: `policies[${index}]`, createdAt: index })) : await policiesInForce(deps.store, ref);
  const { decisions } = await decideRepository(deps.store, ref, policies, now);
  const tags = trial
    ? decisions.map((entry) => (entry.policy_uuid === null ? entry : { ...entry, policy_uuid: null, reason: `${entry.reason} (${entry.policy_uuid})` }))
    : decisions;
  return { evaluated_at: Math.floor(now / 1000), tags };
}
