/**
 * POST /api/v1/repository/{ns}/{repo}/autoprune/preview (repository admin) — what the policies in
 * force (or those of the optional body `{"policies": [...]}`) would prune right now: every alive tag
 * once, decided by the same function as the sweep. Writes nothing.
 */
import { previewRepository } from '../shared/domain/retention-run.js';
import { apiHandler } from '../shared/http/api.js';
import { validPolicy } from '../shared/http/autoprune.js';
import type { PolicyConfigInput } from '../shared/http/autoprune.js';
import { jsonBody } from '../shared/http/body.js';
import { authorizeRepository, requireRepository } from '../shared/http/repository-access.js';

export const handler = apiHandler(
  'autoprune-preview',
  async (request) => {
    const context = await authorizeRepository(request, 'admin');
    const sent = request.body ? new TextDecoder().decode(request.body).trim() !== '' : false;
    // The schema checked every entry (schema-types has no arrays: the element type is stated here).
    const trial = sent ? (jsonBody(request, 'AutoprunePreview').policies as PolicyConfigInput[] | undefined) : undefined;
    const policies = trial ? trial.map(validPolicy) : null;
    requireRepository(context);
    const preview = await previewRepository(request.deps, { namespace: context.namespace, repository: context.repositoryName }, policies);
    return { status: 200, body: preview };
  },
  { jsonBody: true },
);
