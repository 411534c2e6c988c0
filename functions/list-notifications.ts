/** GET /api/v1/repository/{ns}/{repo}/notification/ — every notification of the repository. */
import { notificationView } from '../shared/domain/events-notifications.js';
import { apiHandler } from '../shared/http/api.js';
import { authorizeNotifications } from './lib/notification-access.js';

export const handler = apiHandler('list-notifications', async (request) => {
  const context = await authorizeNotifications(request);
  const notifications = await request.deps.store.notifications.listNotifications(context.pk);
  return { status: 200, body: { notifications: notifications.map(notificationView) } };
});
