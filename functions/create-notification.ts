/** POST /api/v1/repository/{ns}/{repo}/notification/ — create a webhook notification (docs/events.md). */
import { randomBytes, randomUUID } from 'node:crypto';
import { eventConfigProblem, MAX_NOTIFICATIONS, NOTIFICATION_METHODS, notificationView } from '../shared/domain/events-notifications.js';
import { webhookUrlProblem } from '../shared/domain/events-webhook-url.js';
import { jsonBody } from '../shared/http/body.js';
import { quay } from '../shared/http/errors.js';
import { apiHandler } from '../shared/http/api.js';
import type { NotificationRecord } from '../shared/store/index.js';
import { authorizeNotifications, notificationChange } from './lib/notification-access.js';
import { resolveHost } from './lib/webhook.js';

export const handler = apiHandler(
  'create-notification',
  async (request) => {
    const context = await authorizeNotifications(request);
    const body = jsonBody(request, 'CreateNotification');
    // Quay answers an unknown method or event with a 500; here they are 400s.
    if (!(NOTIFICATION_METHODS as readonly string[]).includes(body.method)) {
      throw quay.invalidRequest(`Unknown notification method. Must be one of: ${NOTIFICATION_METHODS.join(', ')}`);
    }
    const eventProblem = eventConfigProblem(body.event, body.eventConfig);
    if (eventProblem) throw quay.invalidRequest(eventProblem);
    const urlProblem = await webhookUrlProblem(body.config.url, { local: request.deps.config.isLocal, resolve: resolveHost });
    if (urlProblem) throw quay.invalidRequest(urlProblem);
    const { store, clock } = request.deps;
    if ((await store.notifications.listNotifications(context.pk)).length >= MAX_NOTIFICATIONS) {
      throw quay.invalidRequest(`A repository holds at most ${MAX_NOTIFICATIONS} notifications`);
    }
    const record: NotificationRecord = {
      uuid: randomUUID(),
      title: body.title ?? null,
      event: body.event,
      method: body.method,
      config: { url: body.config.url },
      eventConfig: { ...(body.eventConfig.days !== undefined ? { days: body.eventConfig.days } : {}), ...(body.eventConfig.tag_pattern !== undefined ? { tag_pattern: body.eventConfig.tag_pattern } : {}) },
      secret: randomBytes(32).toString('hex'),
      numberOfFailures: 0,
      createdAt: clock.now(),
    };
    await store.notifications.createNotification(context.pk, context.namespace, context.repositoryName, record, notificationChange(request, context, 'add_repo_notification', record));
    // The only time the secret is shown.
    return { status: 201, body: { ...notificationView(record), secret: record.secret } };
  },
  // The repository was deleted meanwhile.
  { jsonBody: true, conflict: () => quay.notFound() },
);
