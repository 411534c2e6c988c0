/** PUT …/immutabilitypolicy/{uuid} (organization or repository) — Quay's update*ImmutabilityPolicy: 204, empty. */
import { apiHandler } from '../shared/http/api.js';
import { findPolicy, policyScope, refuseDuplicate, savePolicy, validatePattern } from '../shared/http/immutability-policies.js';

export const handler = apiHandler(
  'update-immutability-policy',
  async (request) => {
    const { scope, config } = await policyScope(request, 'write');
    validatePattern(config!);
    const { uuid } = findPolicy(scope, request.params.uuid);
    refuseDuplicate(scope, config!, uuid);
    await savePolicy(request, scope, config!, uuid);
    return { status: 204 };
  },
  { jsonBody: true },
);
