/** GET /api/v1/repository/{ns}/{repo}/notification/{uuid} — one notification (of this repository only). */
import { notificationView } from '../shared/domain/events-notifications.js';
import { apiHandler } from '../shared/http/api.js';
import { authorizeNotifications, notificationInPath } from './lib/notification-access.js';

export const handler = apiHandler('get-notification', async (request) => {
  const context = await authorizeNotifications(request);
  return { status: 200, body: notificationView(await notificationInPath(request, context)) };
});
