/** POST …/tag/{proxy+}: the trailing-slash fallback of POST …/tag/ (infra/routes.ts fallbackRoutes). */
import { quay } from '../shared/http/errors.js';
import { pipelineHandler } from '../shared/http/pipeline.js';
import { trailingSlashRoute } from './lib/trailing-slash.js';
import { handler as route } from './change-tags.js';

export const handler = trailingSlashRoute(
  route,
  pipelineHandler('change-tags-slash', async () => {
    throw quay.notFound();
  }),
);
