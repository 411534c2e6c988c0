/** DELETE /api/v1/repository/{ns}/{repo}/notification/{uuid} — 204; unknown or foreign uuid → 404 (Quay: 400). */
import { quay } from '../shared/http/errors.js';
import { apiHandler } from '../shared/http/api.js';
import { authorizeNotifications, notificationChange, notificationInPath } from './lib/notification-access.js';

export const handler = apiHandler(
  'delete-notification',
  async (request) => {
    const context = await authorizeNotifications(request);
    const record = await notificationInPath(request, context);
    await request.deps.store.notifications.deleteNotification(context.pk, record.uuid, notificationChange(request, context, 'delete_repo_notification', record));
    return { status: 204 };
  },
  // Deleted meanwhile.
  { conflict: () => quay.notFound() },
);
