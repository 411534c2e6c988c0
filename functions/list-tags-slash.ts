/** GET …/tag/{proxy+}: the trailing-slash fallback of GET …/tag/ (infra/routes.ts fallbackRoutes). */
import { quay } from '../shared/http/errors.js';
import { pipelineHandler } from '../shared/http/pipeline.js';
import { trailingSlashRoute } from './lib/trailing-slash.js';
import { handler as route } from './list-tags.js';

export const handler = trailingSlashRoute(
  route,
  pipelineHandler('list-tags-slash', async () => {
    throw quay.notFound();
  }),
);
