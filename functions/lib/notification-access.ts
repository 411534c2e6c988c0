/** What the notification routes share: the admin check, the uuid lookup and their audit changes. */
import { changeBy } from '../../shared/http/admin.js';
import { quay } from '../../shared/http/errors.js';
import type { ApiRequest } from '../../shared/http/pipeline.js';
import { authorizeRepository, requireRepository, type RepositoryContext } from '../../shared/http/repository-access.js';
import type { ChangeRecord, NotificationRecord } from '../../shared/store/index.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Repository admins only (401/403 before any lookup), on a repository that exists. */
export async function authorizeNotifications(request: ApiRequest): Promise<RepositoryContext> {
  const context = await authorizeRepository(request, 'admin');
  requireRepository(context);
  return context;
}

/**
 * The notification named in the path, looked up in this repository only (Quay looks up by uuid
 * alone, across repositories). Unknown, malformed or foreign: 404 on every route.
 */
export async function notificationInPath(request: ApiRequest, context: RepositoryContext): Promise<NotificationRecord> {
  const uuid = request.params.uuid;
  const record = UUID.test(uuid) ? await request.deps.store.notifications.getNotification(context.pk, uuid) : null;
  if (!record) throw quay.notFound();
  return record;
}

/** The audit change of a notification route (Quay's metadata). */
export function notificationChange(request: ApiRequest, context: RepositoryContext, kind: string, record: Pick<NotificationRecord, 'uuid' | 'event' | 'method'>): ChangeRecord {
  return changeBy(request, kind, context.namespace, context.repositoryName, {
    repo: context.repositoryName,
    namespace: context.namespace,
    notification_id: record.uuid,
    event: record.event,
    method: record.method,
  });
}

export function isNotificationUuid(value: string): boolean {
  return UUID.test(value);
}
