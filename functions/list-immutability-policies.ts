/** GET …/immutabilitypolicy/ (organization or repository) — Quay's list*ImmutabilityPolicies. */
import { policyView } from '../shared/domain/immutability-policy.js';
import { apiHandler } from '../shared/http/api.js';
import { policyScope } from '../shared/http/immutability-policies.js';

export const handler = apiHandler('list-immutability-policies', async (request) => {
  const { scope } = await policyScope(request, 'read');
  return { status: 200, body: { policies: scope.policies.map(policyView) } };
});
