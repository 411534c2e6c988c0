/** The trailing-slash fallback of create-immutability-policy (infra/routes.ts fallbackRoutes). */
import { quay } from '../shared/http/errors.js';
import { pipelineHandler } from '../shared/http/pipeline.js';
import { trailingSlashRoute } from './lib/trailing-slash.js';
import { handler as route } from './create-immutability-policy.js';

export const handler = trailingSlashRoute(
  route,
  pipelineHandler('create-immutability-policy-slash', async () => {
    throw quay.notFound();
  }),
);
