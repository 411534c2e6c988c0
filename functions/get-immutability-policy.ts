/** GET …/immutabilitypolicy/{uuid} (organization or repository) — Quay's get*ImmutabilityPolicy. */
import { policyView } from '../shared/domain/immutability-policy.js';
import { apiHandler } from '../shared/http/api.js';
import { findPolicy, policyScope } from '../shared/http/immutability-policies.js';

export const handler = apiHandler('get-immutability-policy', async (request) => {
  const { scope } = await policyScope(request, 'read');
  return { status: 200, body: policyView(findPolicy(scope, request.params.uuid)) };
});
