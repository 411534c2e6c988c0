/**
 * The auto-prune job of the scheduled sweep. Every namespace or repository with policies has one
 * job in the sweep's sparse queue, due when a policy changes and then every RETENTION_INTERVAL_MS
 * (Quay's AUTOPRUNE_TASK_RUN_MINIMUM_INTERVAL_MINUTES), so the sweep's cost grows with the
 * repositories that have policies, never with the registry. As Quay (reference §4.7): a namespace
 * with namespace policies prunes each of its repositories under its policies plus the repository's;
 * a namespace without them leaves each repository job to apply its own. A namespace job that runs
 * out of time keeps its place (the last repository done) and continues at the next sweep.
 */
import type { DueItem } from '../store/sweep.js';
import type { RetentionScope } from '../store/index.js';
import { WriteConflictError } from '../store/index.js';
import { pruneRepository } from './retention-run.js';
import type { RetentionDeps } from './retention-run.js';

/** How often a scope with policies is pruned (Quay's default minimum interval: 60 minutes). */
export const RETENTION_INTERVAL_MS = 60 * 60_000;
/** Repositories read per page of a namespace job. */
const REPOSITORY_PAGE = 50;

export interface RetentionJobOutcome {
  pruned: number;
  read: number;
  /** False when the job was not due any more (a policy changed meanwhile, or another run took it). */
  ran: boolean;
}

export async function runRetentionJob(
  deps: RetentionDeps,
  item: DueItem,
  windowOf: (namespace: string) => Promise<number>,
  outOfTime: () => boolean,
): Promise<RetentionJobOutcome> {
  const { store } = deps;
  // A policy written during the run made the job due again: that next turn decides afresh.
  const settle = (scope: RetentionScope, dueAt: number, next: { dueAt: number; cursor?: string } | null) =>
    store.retention.settleJob(scope, dueAt, next).catch((error) => {
      if (!(error instanceof WriteConflictError)) throw error;
    });
  const namespaceScope: RetentionScope = { namespace: item.namespace, repository: null };
  const scope: RetentionScope = item.kind === 'prune-namespace' ? namespaceScope : { namespace: item.namespace, repository: item.repository };
  const outcome: RetentionJobOutcome = { pruned: 0, read: 0, ran: false };
  const job = await store.retention.getJob(scope);
  if (!job || job.dueAt !== item.dueAt) return outcome;
  outcome.ran = true;
  const [own, namespacePolicies] = await Promise.all([store.retention.listPolicies(scope), scope.repository === null ? null : store.retention.listPolicies(namespaceScope)]);
  if (!own.length) {
    await settle(scope, job.dueAt, job.policyCount <= 0 ? null : { dueAt: deps.clock.now() + RETENTION_INTERVAL_MS });
    return outcome;
  }
  const windowS = await windowOf(item.namespace);
  const next = { dueAt: deps.clock.now() + RETENTION_INTERVAL_MS };
  if (scope.repository !== null) {
    // The namespace's job prunes this repository under both sets of policies.
    if (!namespacePolicies?.length) {
      const result = await pruneRepository(deps, { namespace: item.namespace, repository: scope.repository }, own, windowS);
      outcome.pruned += result.pruned.length;
      outcome.read += result.read;
    }
    await settle(scope, job.dueAt, next);
    return outcome;
  }
  let after = job.cursor;
  for (;;) {
    const page = await store.retention.listNamespaceRepositories(item.namespace, REPOSITORY_PAGE, after);
    for (const repository of page.names) {
      if (outOfTime()) {
        if (after !== job.cursor) await settle(scope, job.dueAt, { dueAt: job.dueAt, cursor: after });
        return outcome;
      }
      const repositoryPolicies = await store.retention.listPolicies({ namespace: item.namespace, repository });
      const result = await pruneRepository(deps, { namespace: item.namespace, repository }, [...own, ...repositoryPolicies], windowS);
      outcome.pruned += result.pruned.length;
      outcome.read += result.read;
      after = repository;
    }
    if (!page.hasMore || !page.names.length) break;
  }
  await settle(scope, job.dueAt, next);
  return outcome;
}
