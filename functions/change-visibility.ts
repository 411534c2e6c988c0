/** POST /api/v1/repository/{ns}/{repo}/changevisibility — make a repository public or private. */
import { changeBy } from '../shared/http/admin.js';
import { jsonBody } from '../shared/http/body.js';
import { apiHandler } from '../shared/http/api.js';
import { authorizeRepository, requireRepository } from '../shared/http/repository-access.js';

export const handler = apiHandler('change-visibility', async (request) => {
  const context = await authorizeRepository(request, 'admin');
  const body = jsonBody(request, 'ChangeVisibility');
  requireRepository(context);
  await request.deps.store.repositories.setVisibility(
    context.namespace,
    context.repositoryName,
    body.visibility,
    changeBy(request, 'change_repo_visibility', context.namespace, context.repositoryName, {
      repo: context.repositoryName,
      namespace: context.namespace,
      visibility: body.visibility,
    }),
  );
  return { status: 200, body: { success: true } };
}, { jsonBody: true });
