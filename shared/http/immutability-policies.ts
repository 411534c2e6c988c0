/**
 * The immutability-policy routes of organizations (`/organization/{org}/immutabilitypolicy/…`) and
 * repositories (`/repository/{ns}/{repo}/immutabilitypolicy/…`), with Quay's check order: on
 * organization writes the body schema comes before 401/403, on repository routes after it.
 */
import { randomUUID } from 'node:crypto';
import { duplicateError, parsePolicyConfig, patternError } from '../domain/immutability-policy.js';
import type { PolicyConfig } from '../domain/immutability-policy.js';
import { applyPolicy } from '../domain/policy-application.js';
import type { ImmutabilityPolicy, PolicyOwner } from '../store/index.js';
import { WriteConflictError } from '../store/index.js';
import { authorizeNamespaceAdmin, changeBy } from './admin.js';
import { jsonBody } from './body.js';
import { quay } from './errors.js';
import type { ApiRequest } from './pipeline.js';
import { authorizeRepository, requireRepository } from './repository-access.js';

/** Whose policies a request names, and the ones it has now. */
export interface PolicyScope {
  owner: PolicyOwner & { userNamespace?: boolean };
  policies: ImmutabilityPolicy[];
}

const isRepositoryRoute = (request: ApiRequest) => request.params.repo !== undefined;

/**
 * Authorizes the caller (organization admin, or repository admin) and, for creates and updates,
 * reads the body in Quay's order; a repository must exist.
 */
export async function policyScope(request: ApiRequest, body: 'read' | 'write'): Promise<{ scope: PolicyScope; config?: PolicyConfig }> {
  if (isRepositoryRoute(request)) {
    const context = await authorizeRepository(request, 'admin');
    const config = body === 'write' ? readConfig(request) : undefined;
    const repository = requireRepository(context);
    return { scope: { owner: { namespace: context.namespace, repository: context.repositoryName }, policies: repository.immutabilityPolicies ?? [] }, config };
  }
  const org = request.params.org;
  const config = body === 'write' ? readConfig(request) : undefined;
  const record = await authorizeNamespaceAdmin(request, org);
  // A user's own namespace has an item only once something was stored for it.
  const userNamespace = !record && request.principal?.username === org && !request.principal.isRobot;
  return { scope: { owner: { namespace: org, ...(userNamespace ? { userNamespace } : {}) }, policies: record?.immutabilityPolicies ?? [] }, config };
}

function readConfig(request: ApiRequest): PolicyConfig {
  return parsePolicyConfig(jsonBody(request, 'ImmutabilityPolicyConfig'));
}

/** Quay's _validate_policy checks 1-3 (400 with its message). */
export function validatePattern(config: PolicyConfig): void {
  const error = patternError(config);
  if (error) throw quay.invalidRequest(error);
}

/** Quay's duplicate check (400). */
export function refuseDuplicate(scope: PolicyScope, config: PolicyConfig, selfUuid?: string): void {
  const error = duplicateError(config, scope.policies, selfUuid);
  if (error) throw quay.invalidRequest(error);
}

export function findPolicy(scope: PolicyScope, uuid: string): ImmutabilityPolicy {
  const policy = scope.policies.find((candidate) => candidate.uuid === uuid);
  if (!policy) throw quay.notFound();
  return policy;
}

function configMetadata(scope: PolicyScope, config: PolicyConfig) {
  return {
    namespace: scope.owner.namespace,
    ...(scope.owner.repository ? { repo: scope.owner.repository } : {}),
    tag_pattern: config.tagPattern,
    tag_pattern_matches: config.tagPatternMatches,
  };
}

/** Stores a new or updated policy with its audit entry, then applies it to the tags it covers. */
export async function savePolicy(request: ApiRequest, scope: PolicyScope, config: PolicyConfig, uuid: string | null): Promise<string> {
  const policy: ImmutabilityPolicy = {
    uuid: uuid ?? randomUUID(),
    scope: scope.owner.repository ? 'repository' : 'namespace',
    ...config,
  };
  const kind = uuid ? 'update_immutability_policy' : 'create_immutability_policy';
  const change = changeBy(request, kind, scope.owner.namespace, scope.owner.repository ?? null, configMetadata(scope, config));
  try {
    await request.deps.store.immutabilityPolicies.putPolicy(scope.owner, policy, uuid ? 'update' : 'create', request.deps.clock.now(), change);
  } catch (error) {
    // Deleted (update) or its owner went away meanwhile.
    if (error instanceof WriteConflictError) throw quay.notFound();
    throw error;
  }
  await applyPolicy(request.deps, scope.owner, policy);
  return policy.uuid;
}

export async function removePolicy(request: ApiRequest, scope: PolicyScope, uuid: string): Promise<void> {
  const metadata = { namespace: scope.owner.namespace, policy_uuid: uuid, ...(scope.owner.repository ? { repo: scope.owner.repository } : {}) };
  const change = changeBy(request, 'delete_immutability_policy', scope.owner.namespace, scope.owner.repository ?? null, metadata);
  try {
    await request.deps.store.immutabilityPolicies.deletePolicy(scope.owner, uuid, change);
  } catch (error) {
    if (error instanceof WriteConflictError) throw quay.notFound();
    throw error;
  }
}
