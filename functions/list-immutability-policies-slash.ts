/** The trailing-slash fallback of list-immutability-policies (infra/routes.ts fallbackRoutes). */
import { quay } from '../shared/http/errors.js';
import { pipelineHandler } from '../shared/http/pipeline.js';
import { trailingSlashRoute } from './lib/trailing-slash.js';
import { handler as route } from './list-immutability-policies.js';

export const handler = trailingSlashRoute(
  route,
  pipelineHandler('list-immutability-policies-slash', async () => {
    throw quay.notFound();
  }),
);
