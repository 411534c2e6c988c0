/** POST /api/v1/repository/{ns}/{repo}/notification/{uuid} — reset the failure count (204), re-enabling it. */
import { quay } from '../shared/http/errors.js';
import { apiHandler } from '../shared/http/api.js';
import { authorizeNotifications, notificationChange, notificationInPath } from './lib/notification-access.js';

export const handler = apiHandler(
  'reset-notification',
  async (request) => {
    const context = await authorizeNotifications(request);
    const record = await notificationInPath(request, context);
    await request.deps.store.notifications.resetNotificationFailures(context.pk, record.uuid, notificationChange(request, context, 'reset_repo_notification', record));
    return { status: 204 };
  },
  { conflict: () => quay.notFound() },
);
