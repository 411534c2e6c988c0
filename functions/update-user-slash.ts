/** PUT /api/v1/user/{proxy+}: the trailing-slash fallback of PUT /api/v1/user/ (infra/routes.ts fallbackRoutes). */
import { quay } from '../shared/http/errors.js';
import { pipelineHandler } from '../shared/http/pipeline.js';
import { trailingSlashRoute } from './lib/trailing-slash.js';
import { handler as route } from './update-user.js';

export const handler = trailingSlashRoute(
  route,
  pipelineHandler('update-user-slash', async () => {
    throw quay.notFound();
  }),
);
