/** DELETE …/immutabilitypolicy/{uuid} (organization or repository) — Quay's delete*ImmutabilityPolicy: 200 {uuid}. */
import { apiHandler } from '../shared/http/api.js';
import { findPolicy, policyScope, removePolicy } from '../shared/http/immutability-policies.js';

export const handler = apiHandler('delete-immutability-policy', async (request) => {
  const { scope } = await policyScope(request, 'read');
  const { uuid } = findPolicy(scope, request.params.uuid);
  // Quay unmarks nothing: tags the policy made immutable stay so.
  await removePolicy(request, scope, uuid);
  return { status: 200, body: { uuid } };
});
