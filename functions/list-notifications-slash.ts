/** The trailing-slash fallback of list-notifications (infra/routes.ts fallbackRoutes). */
import { quay } from '../shared/http/errors.js';
import { pipelineHandler } from '../shared/http/pipeline.js';
import { trailingSlashRoute } from './lib/trailing-slash.js';
import { handler as route } from './list-notifications.js';

export const handler = trailingSlashRoute(
  route,
  pipelineHandler('list-notifications-slash', async () => {
    throw quay.notFound();
  }),
);
