/** POST …/immutabilitypolicy/ (organization or repository) — Quay's create*ImmutabilityPolicy: 201 {uuid}. */
import { apiHandler } from '../shared/http/api.js';
import { policyScope, refuseDuplicate, savePolicy, validatePattern } from '../shared/http/immutability-policies.js';

export const handler = apiHandler(
  'create-immutability-policy',
  async (request) => {
    const { scope, config } = await policyScope(request, 'write');
    validatePattern(config!);
    refuseDuplicate(scope, config!);
    return { status: 201, body: { uuid: await savePolicy(request, scope, config!, null) } };
  },
  { jsonBody: true },
);
