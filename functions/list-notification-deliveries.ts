/** GET /api/v1/repository/{ns}/{repo}/notification/{uuid}/deliveries — the latest attempts, newest first. */
import { apiHandler } from '../shared/http/api.js';
import { authorizeNotifications, notificationInPath } from './lib/notification-access.js';

const RECENT_DELIVERIES = 50;

export const handler = apiHandler('list-notification-deliveries', async (request) => {
  const context = await authorizeNotifications(request);
  const record = await notificationInPath(request, context);
  const deliveries = await request.deps.store.notifications.listDeliveries(context.pk, record.uuid, RECENT_DELIVERIES);
  return {
    status: 200,
    body: {
      deliveries: deliveries.map((delivery) => ({
        event: delivery.event,
        at: Math.floor(delivery.at / 1000),
        attempt: delivery.attempt,
        status: delivery.outcome,
        response_code: delivery.responseCode,
        error: delivery.error,
      })),
    },
  };
});
