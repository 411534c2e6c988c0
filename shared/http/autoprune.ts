/**
 * The auto-prune policy routes share one shape over three scopes: `/organization/{org}/…` (namespace
 * admins), `/user/…` (the caller's own namespace) and `/repository/{ns}/{repo}/…` (repository
 * admins). This module authorizes the caller for the scope the path names and builds the scope's
 * audit changes with Quay's kinds and metadata.
 */
import { randomUUID } from 'node:crypto';
import type { AutoprunePolicy, PolicyConfig } from '../domain/retention-policy.js';
import { PolicyValidationError, duplicateMessage, isDuplicate, parsePolicy, policyLogMetadata } from '../domain/retention-policy.js';
import type { ChangeRecord, RetentionScope } from '../store/index.js';
import { authorizeNamespaceAdmin, changeBy, requireOwnNamespace } from './admin.js';
import { jsonBody } from './body.js';
import { quay } from './errors.js';
import type { ApiRequest } from './pipeline.js';
import { authorizeRepository, requireRepository } from './repository-access.js';

/** Policy uuids are v4 UUIDs; anything else names no policy (answered 404 without a lookup). */
const POLICY_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface PolicyScope {
  scope: RetentionScope;
  /** 'namespace' or 'repository': Quay's audit kinds and duplicate messages say which. */
  level: 'namespace' | 'repository';
}

/**
 * 401/403 for a caller who may not administer the path's scope, then (with `body`) the body against
 * the schema, then 404 for a missing repository or organization. Quay checks an organization's
 * schema before its permission; we authorize first everywhere (docs/differences-from-quay.md).
 */
export async function authorizePolicyScope(request: ApiRequest, withBody: boolean): Promise<PolicyScope & { body?: PolicyConfigInput }> {
  const { params } = request;
  if (params.repo !== undefined) {
    const context = await authorizeRepository(request, 'admin');
    const body = withBody ? jsonBody(request, 'AutoprunePolicy') : undefined;
    requireRepository(context);
    return { scope: { namespace: context.namespace, repository: context.repositoryName }, level: 'repository', body };
  }
  if (params.org !== undefined) {
    await authorizeNamespaceAdmin(request, params.org);
    const body = withBody ? jsonBody(request, 'AutoprunePolicy') : undefined;
    return { scope: { namespace: params.org, repository: null }, level: 'namespace', body };
  }
  const { principal } = await requireOwnNamespace(request);
  const body = withBody ? jsonBody(request, 'AutoprunePolicy') : undefined;
  return { scope: { namespace: principal.username, repository: null }, level: 'namespace', body };
}

export type PolicyConfigInput = Parameters<typeof parsePolicy>[0];

/** Quay's validation, answered as its 400s. */
export function validPolicy(body: PolicyConfigInput): PolicyConfig {
  try {
    return parsePolicy(body);
  } catch (error) {
    if (error instanceof PolicyValidationError) throw quay.invalidRequest(error.message);
    throw error;
  }
}

/** The stored policy the path's uuid names in this scope, or 404. */
export async function policyNamed(request: ApiRequest, scope: RetentionScope): Promise<AutoprunePolicy> {
  const uuid = request.params.uuid;
  const policy = POLICY_UUID.test(uuid) ? await request.deps.store.retention.getPolicy(scope, uuid) : null;
  if (!policy) throw quay.notFound();
  return policy;
}

/** A new policy from a validated configuration; 400 when an identical one exists in the scope. */
export async function newPolicy(request: ApiRequest, target: PolicyScope, config: PolicyConfig): Promise<AutoprunePolicy> {
  const existing = await request.deps.store.retention.listPolicies(target.scope);
  if (isDuplicate(config, existing)) throw quay.invalidRequest(duplicateMessage(target.level));
  return { uuid: randomUUID(), ...config, createdAt: request.deps.clock.now() };
}

/** The audit change of a policy create, update or delete (Quay's kinds and metadata). */
export function policyChange(request: ApiRequest, target: PolicyScope, action: 'create' | 'update' | 'delete', subject: PolicyConfig | string): ChangeRecord {
  const { namespace, repository } = target.scope;
  const metadata =
    typeof subject === 'string'
      ? { policy_uuid: subject, namespace, ...(repository === null ? {} : { repo: repository }) }
      : policyLogMetadata(subject, namespace, repository);
  return changeBy(request, `${action}_${target.level}_autoprune_policy`, namespace, repository, metadata);
}
