/**
 * GET /api/v1/repository/{ns}/{repo}/tagdiff?from=T1&to=T2[&specificTag=] — extension: the tags
 * added, removed and moved between two instants (epoch seconds or ISO-8601, as `at` of the list).
 */
import { tagDiff } from '../shared/domain/tag-diff.js';
import { apiHandler } from '../shared/http/api.js';
import { requiredInstantParam } from '../shared/http/instants.js';
import { authorizeRepository, rejectApplicationRepository, requireRepository } from '../shared/http/repository-access.js';

export const handler = apiHandler('tag-diff', async (request) => {
  const context = await authorizeRepository(request, 'read');
  rejectApplicationRepository(context);
  const fromMs = requiredInstantParam(request.query.from, 'from');
  const toMs = requiredInstantParam(request.query.to, 'to');
  requireRepository(context);
  const diff = await tagDiff(request.deps, context.pk, fromMs, toMs, request.query.specificTag || null);
  return { status: 200, body: { from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString(), ...diff } };
});
