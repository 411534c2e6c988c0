/** POST /api/v1/organization/{proxy+}: the trailing-slash fallback of POST /api/v1/organization/ (infra/routes.ts fallbackRoutes). */
import { quay } from '../shared/http/errors.js';
import { pipelineHandler } from '../shared/http/pipeline.js';
import { trailingSlashRoute } from './lib/trailing-slash.js';
import { handler as route } from './create-organization.js';

export const handler = trailingSlashRoute(
  route,
  pipelineHandler('create-organization-slash', async () => {
    throw quay.notFound();
  }),
);
