/**
 * GET/PUT/DELETE …/autoprunepolicy/{uuid} on an organization, the caller's user namespace or a
 * repository — Quay's get (200 view), update (204) and delete (200 {uuid}). The uuid is looked up in
 * the path's own namespace or repository only (Quay resolves repository uuids by name alone).
 */
import { policyView } from '../shared/domain/retention-policy.js';
import { apiHandler } from '../shared/http/api.js';
import { authorizePolicyScope, policyChange, policyNamed, validPolicy } from '../shared/http/autoprune.js';
import { quay } from '../shared/http/errors.js';

export const handler = apiHandler(
  'autoprune-policy',
  async (request) => {
    const { store } = request.deps;
    const target = await authorizePolicyScope(request, request.method === 'PUT');
    // Quay checks existence before validity on update.
    const policy = await policyNamed(request, target.scope);
    if (request.method === 'GET') return { status: 200, body: policyView(policy) };
    if (request.method === 'DELETE') {
      await store.retention.deletePolicy(target.scope, policy.uuid, policyChange(request, target, 'delete', policy.uuid));
      return { status: 200, body: { uuid: policy.uuid } };
    }
    const config = validPolicy(target.body!);
    await store.retention.updatePolicy(target.scope, { ...policy, ...config }, policyChange(request, target, 'update', config));
    return { status: 204, body: undefined };
  },
  // Deleted by someone else meanwhile: not found.
  { jsonBody: true, conflict: () => quay.notFound() },
);
