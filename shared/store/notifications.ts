/**
 * Repository notifications and their delivery log, in the repository's partition: a notification
 * is one item (`NOTIF#<uuid>`), its attempts items `NDLV#<uuid>#<newest first>` kept for a week.
 */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { StoreContext } from './context.js';
import { putChange } from './changes.js';
import { SK } from './keys.js';
import { queryPrefix } from './reads.js';
import type { ChangeRecord, DeliveryRecord, NotificationRecord } from './records.js';
import { repositoryKey } from './repositories.js';
import { TTL_ATTRIBUTE } from './schema.js';
import { transact } from './transactions.js';

const DELIVERY_TTL_S = 7 * 24 * 3600;

function toNotification(item: Record<string, unknown>): NotificationRecord {
  return {
    uuid: item.uuid as string,
    title: (item.title as string | null | undefined) ?? null,
    event: item.event as string,
    method: item.method as string,
    config: (item.config as Record<string, unknown> | undefined) ?? {},
    eventConfig: (item.eventConfig as Record<string, unknown> | undefined) ?? {},
    secret: item.secret as string,
    numberOfFailures: (item.numberOfFailures as number | undefined) ?? 0,
    createdAt: item.createdAt as number,
  };
}

/** Creates a notification if the repository still exists (else WriteConflictError). */
export async function createNotification(ctx: StoreContext, pk: string, namespace: string, repository: string, record: NotificationRecord, change: ChangeRecord) {
  await transact(ctx, [
    {
      Put: {
        TableName: ctx.tables.registry,
        Item: { PK: pk, SK: SK.notification(record.uuid), type: 'notification', ...record },
        ConditionExpression: 'attribute_not_exists(PK)',
      },
    },
    { ConditionCheck: { TableName: ctx.tables.registry, Key: repositoryKey(namespace, repository), ConditionExpression: 'attribute_exists(PK)' } },
    putChange(ctx, change),
  ]);
}

export async function listNotifications(ctx: StoreContext, pk: string): Promise<NotificationRecord[]> {
  return (await queryPrefix(ctx, ctx.tables.registry, pk, SK.notificationPrefix)).map(toNotification);
}

export async function getNotification(ctx: StoreContext, pk: string, uuid: string): Promise<NotificationRecord | null> {
  const result = await ctx.client.send(new GetCommand({ TableName: ctx.tables.registry, Key: { PK: pk, SK: SK.notification(uuid) }, ConsistentRead: true }));
  return result.Item ? toNotification(result.Item) : null;
}

/** Deletes a notification; WriteConflictError when there is none. Its delivery log expires by TTL. */
export async function deleteNotification(ctx: StoreContext, pk: string, uuid: string, change: ChangeRecord) {
  await transact(ctx, [
    { Delete: { TableName: ctx.tables.registry, Key: { PK: pk, SK: SK.notification(uuid) }, ConditionExpression: 'attribute_exists(PK)' } },
    putChange(ctx, change),
  ]);
}

/** Sets the failure count back to 0; WriteConflictError when there is no such notification. */
export async function resetNotificationFailures(ctx: StoreContext, pk: string, uuid: string, change: ChangeRecord) {
  await transact(ctx, [
    {
      Update: {
        TableName: ctx.tables.registry,
        Key: { PK: pk, SK: SK.notification(uuid) },
        UpdateExpression: 'SET numberOfFailures = :zero',
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeValues: { ':zero': 0 },
      },
    },
    putChange(ctx, change),
  ]);
}

/**
 * Logs an attempt and updates the consecutive-failure count with it (0 after a success, one more
 * after a failure); WriteConflictError when the notification was deleted meanwhile.
 */
export async function recordDelivery(ctx: StoreContext, pk: string, uuid: string, delivery: DeliveryRecord) {
  const failed = delivery.outcome !== 'delivered';
  const logItem = {
    TableName: ctx.tables.registry,
    Item: { PK: pk, SK: SK.delivery(uuid, delivery.at, delivery.id), type: 'delivery', ...delivery, [TTL_ATTRIBUTE]: Math.floor(delivery.at / 1000) + DELIVERY_TTL_S },
  };
  // Not sent: logged, the count stays.
  if (delivery.outcome === 'skipped') return void (await transact(ctx, [{ Put: logItem }]));
  await transact(ctx, [
    { Put: logItem },
    {
      Update: {
        TableName: ctx.tables.registry,
        Key: { PK: pk, SK: SK.notification(uuid) },
        UpdateExpression: failed ? 'ADD numberOfFailures :one' : 'SET numberOfFailures = :zero',
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeValues: failed ? { ':one': 1 } : { ':zero': 0 },
      },
    },
  ]);
}

/** The latest attempts of a notification, newest first. */
export async function listDeliveries(ctx: StoreContext, pk: string, uuid: string, limit: number): Promise<DeliveryRecord[]> {
  const result = await ctx.client.send(
    new QueryCommand({
      TableName: ctx.tables.registry,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': pk, ':prefix': SK.deliveryPrefix(uuid) },
      Limit: limit,
    }),
  );
  return (result.Items ?? []).map((item) => ({
    id: item.id as string,
    event: item.event as string,
    at: item.at as number,
    attempt: item.attempt as number,
    outcome: item.outcome as DeliveryRecord['outcome'],
    responseCode: (item.responseCode as number | null | undefined) ?? null,
    error: (item.error as string | null | undefined) ?? null,
  }));
}
