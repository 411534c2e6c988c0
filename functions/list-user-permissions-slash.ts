/** GET …/permissions/user/{proxy+}: the trailing-slash fallback of GET …/permissions/user/ (infra/routes.ts fallbackRoutes). */
import { quay } from '../shared/http/errors.js';
import { pipelineHandler } from '../shared/http/pipeline.js';
import { trailingSlashRoute } from './lib/trailing-slash.js';
import { handler as route } from './list-user-permissions.js';

export const handler = trailingSlashRoute(
  route,
  pipelineHandler('list-user-permissions-slash', async () => {
    throw quay.notFound();
  }),
);
