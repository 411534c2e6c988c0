/**
 * GET /api/v1/repository/{ns}/{repo}/tag/{tag}/protection — why a tag is protected: immutable (set
 * through the API or by which policy), when it expires, and which retention policy would prune it.
 */
import { isValidTagName } from '../shared/domain/quay-format.js';
import { prunePlanForTag } from '../shared/domain/retention-run.js';
import { explainProtection } from '../shared/domain/tag-protection.js';
import { apiHandler } from '../shared/http/api.js';
import { quay } from '../shared/http/errors.js';
import { actorOf, authorizeRepository, rejectApplicationRepository, requireRepository } from '../shared/http/repository-access.js';

export const handler = apiHandler('tag-protection', async (request) => {
  const context = await authorizeRepository(request, 'read');
  rejectApplicationRepository(context);
  requireRepository(context);
  // A name the tag rule refuses was never created.
  if (!isValidTagName(request.params.tag)) throw quay.notFound();
  const { store } = request.deps;
  const ref = { namespace: context.namespace, repository: context.repositoryName };
  // The same decision function the sweep and the preview use (shared/domain/retention.ts).
  const wouldPrune = (tag: { name: string }, nowMs: number) => prunePlanForTag(store, ref, tag.name, nowMs);
  return { status: 200, body: await explainProtection(request.deps, actorOf(context, request), request.params.tag, wouldPrune) };
});
