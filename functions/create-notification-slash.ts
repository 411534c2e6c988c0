/** The trailing-slash fallback of create-notification (infra/routes.ts fallbackRoutes). */
import { quay } from '../shared/http/errors.js';
import { pipelineHandler } from '../shared/http/pipeline.js';
import { trailingSlashRoute } from './lib/trailing-slash.js';
import { handler as route } from './create-notification.js';

export const handler = trailingSlashRoute(
  route,
  pipelineHandler('create-notification-slash', async () => {
    throw quay.notFound();
  }),
);
