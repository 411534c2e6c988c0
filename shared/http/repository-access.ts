/**
 * Authorization of repository routes: one store round trip for the facts, the pure decision from
 * shared/domain/permissions.ts, and Quay's error bodies. The 404 for a missing repository is
 * deferred to `requireRepository`, because Quay validates the request (body, tag name) between
 * the permission check and the repository lookup.
 */
import { isStorableName } from '../domain/names.js';
import { isValidTagName } from '../domain/quay-format.js';
import { decideRepositoryAccess } from '../domain/permissions.js';
import type { Principal, Role } from '../domain/permissions.js';
import { DEFAULT_TAG_EXPIRATION_S, repoPK } from '../store/index.js';
import type { LiveTag, NamespaceRecord, Performer, RepositoryRecord } from '../store/index.js';
import type { Actor } from '../domain/tag-operations.js';
import { quay } from './errors.js';
import type { ApiRequest } from './pipeline.js';

export interface RepositoryContext {
  namespace: string;
  repositoryName: string;
  pk: string;
  /** Null when the repository does not exist (only namespace admins and superusers get this far). */
  repository: RepositoryRecord | null;
  namespaceRecord: NamespaceRecord | null;
  /** The namespace's time-machine window in seconds. */
  windowS: number;
  principal: Principal | null;
  role: Role | null;
}

/**
 * authorizeRepository with a read of the request's data started alongside the authorization read
 * (the keys of both come from the path), so a request waits for one round trip instead of two.
 * The read's result, or its error, is only handed out once the decision allowed the request:
 * the answers to callers without rights (401, 403, 404) are exactly those of authorizeRepository,
 * and nothing the read returned reaches them. `read` only starts for names a repository can have.
 */
export async function authorizeRepositoryAlongside<T>(
  request: ApiRequest,
  need: Role,
  read: (pk: string) => Promise<T>,
): Promise<{ context: RepositoryContext; data: () => Promise<T> }> {
  const { ns, repo } = request.params;
  const started = isStorableName(ns) && isStorableName(repo) ? awaitedLater(read(repoPK(ns, repo))) : null;
  const context = await authorizeRepository(request, need);
  return { context, data: () => started ?? read(context.pk) };
}

/**
 * A read whose outcome may never be awaited (authorization refused, or the request stopped at a
 * check): its failure is then dropped instead of surfacing as an unhandled rejection; awaiting it
 * still throws.
 */
export function awaitedLater<T>(read: Promise<T>): Promise<T> {
  read.catch(() => undefined);
  return read;
}

/** The pointer of the path's tag (null for a name no tag can have), for a read started alongside. */
export function pathTagPointer(request: ApiRequest, pk: string): Promise<LiveTag | null> {
  const tag = request.params.tag;
  return awaitedLater(isValidTagName(tag) ? request.deps.store.tags.getLiveTag(pk, tag) : Promise.resolve(null));
}

export async function authorizeRepository(request: ApiRequest, need: Role): Promise<RepositoryContext> {
  const namespace = request.params.ns;
  const repositoryName = request.params.repo;
  // A name no repository can have is answered as a missing repository, without a lookup.
  const facts =
    isStorableName(namespace) && isStorableName(repositoryName)
      ? await request.deps.store.access.loadRepositoryAccessFacts(namespace, repositoryName, request.principal?.username ?? null)
      : { repository: null, namespace: null, explicitRole: null };
  const decision = decideRepositoryAccess({
    principal: request.principal,
    namespace,
    namespaceFacts: facts.namespace
      ? { kind: facts.namespace.kind, admins: new Set(facts.namespace.admins) }
      : { kind: 'missing', admins: new Set() },
    repository: facts.repository ? { visibility: facts.repository.visibility } : null,
    explicitRole: facts.explicitRole,
    need,
  });
  // A 404 decision means: allowed, but the repository is missing. Quay validates the request
  // (arguments, body, tag name) before its repository lookup, so the 404 waits for requireRepository.
  if (!decision.allowed && decision.status !== 404) throw quay.unauthorized(decision.status === 403);
  return {
    namespace,
    repositoryName,
    pk: repoPK(namespace, repositoryName),
    repository: facts.repository,
    namespaceRecord: facts.namespace,
    windowS: facts.namespace?.tagExpirationS ?? DEFAULT_TAG_EXPIRATION_S,
    principal: request.principal,
    // A missing repository has no role to act with; requireRepository stops every use of it.
    role: decision.allowed ? decision.role : null,
  };
}

/** Quay's lookup_repository step: 404 when the repository does not exist. */
export function requireRepository(context: RepositoryContext): RepositoryRecord {
  if (!context.repository) throw quay.notFound();
  return context.repository;
}

/** Quay [L] disallow_for_app_repositories: application repositories answer 501 on tag routes. */
export function rejectApplicationRepository(context: RepositoryContext): void {
  if (context.repository?.kind === 'application') throw quay.applicationRepository();
}

export function performerOf(principal: Principal | null): Performer | null {
  return principal ? { username: principal.username, isRobot: principal.isRobot } : null;
}

/** The acting identity of a mutation on this repository (for its audit change). */
export function actorOf(context: RepositoryContext, request: Pick<ApiRequest, 'ip'>): Actor {
  return {
    namespace: context.namespace,
    repository: context.repositoryName,
    pk: context.pk,
    windowS: context.windowS,
    performer: performerOf(context.principal),
    ip: request.ip,
    // Read by the authorization read itself: checking them costs a tag write no extra round trip.
    immutabilityPolicies: [...(context.repository?.immutabilityPolicies ?? []), ...(context.namespaceRecord?.immutabilityPolicies ?? [])],
  };
}
