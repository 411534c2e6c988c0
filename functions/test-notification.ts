/** POST /api/v1/repository/{ns}/{repo}/notification/{uuid}/test — queue the event's sample for this notification (200 {}). */
import { randomUUID } from 'node:crypto';
import { sampleBody } from '../shared/domain/events-notifications.js';
import { apiHandler } from '../shared/http/api.js';
import { deliveryQueue } from './lib/delivery-queue.js';
import { authorizeNotifications, notificationInPath } from './lib/notification-access.js';
import { serverHost } from './webhook-delivery.js';

export const handler = apiHandler('test-notification', async (request) => {
  const context = await authorizeNotifications(request);
  const record = await notificationInPath(request, context);
  await deliveryQueue().send(
    {
      kind: 'delivery',
      namespace: context.namespace,
      repository: context.repositoryName,
      uuid: record.uuid,
      event: record.event,
      deliveryId: randomUUID(),
      body: sampleBody(record, context.namespace, context.repositoryName, serverHost(), request.deps.clock.now()),
      attempt: 1,
    },
    0,
  );
  return { status: 200, body: {} };
});
