/** …/autoprunepolicy/{proxy+}: the trailing-slash fallback of the policy list and create (infra/routes.ts fallbackRoutes). */
import { quay } from '../shared/http/errors.js';
import { pipelineHandler } from '../shared/http/pipeline.js';
import { trailingSlashRoute } from './lib/trailing-slash.js';
import { handler as route } from './autoprune-policies.js';

export const handler = trailingSlashRoute(
  route,
  pipelineHandler('autoprune-policies-slash', async () => {
    throw quay.notFound();
  }),
);
