/**
 * GET/POST /api/v1/organization/{org}/autoprunepolicy/, /api/v1/user/autoprunepolicy/ and
 * /api/v1/repository/{ns}/{repo}/autoprunepolicy/ — Quay's auto-prune policy list and create.
 */
import { byCreation, policyView } from '../shared/domain/retention-policy.js';
import { apiHandler } from '../shared/http/api.js';
import { authorizePolicyScope, newPolicy, policyChange, validPolicy } from '../shared/http/autoprune.js';
import { quay } from '../shared/http/errors.js';

export const handler = apiHandler(
  'autoprune-policies',
  async (request) => {
    const { store } = request.deps;
    if (request.method === 'GET') {
      const target = await authorizePolicyScope(request, false);
      const policies = (await store.retention.listPolicies(target.scope)).sort(byCreation);
      return { status: 200, body: { policies: policies.map(policyView) } };
    }
    const target = await authorizePolicyScope(request, true);
    const config = validPolicy(target.body!);
    const policy = await newPolicy(request, target, config);
    await store.retention.createPolicy(target.scope, policy, policyChange(request, target, 'create', config));
    return { status: 201, body: { uuid: policy.uuid } };
  },
  // Lost a race with the repository's deletion: it is not found.
  { jsonBody: true, conflict: () => quay.notFound() },
);
