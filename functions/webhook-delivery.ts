/**
 * The delivery queue's consumer (SQS on AWS, the local queue locally). A message is either a tag
 * event from the bus's rule, fanned out here to the repository's matching notifications (one
 * Query), or one delivery job (a retry, a test, an expiry notice). Each delivery is one signed POST
 * (functions/lib/webhook.ts); a message whose processing throws is retried by SQS, then goes to the DLQ.
 */
import { createHash } from 'node:crypto';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { serviceDeps } from '../shared/deps.js';
import type { TagEvent } from '../shared/domain/events.js';
import { EVENT_DETAIL_TYPE } from '../shared/domain/events.js';
import { notificationMatches, webhookBody } from '../shared/domain/events-notifications.js';
import { repoPK } from '../shared/store/index.js';
import { log } from '../shared/log.js';
import { deliveryQueue, type DeliveryJob } from './lib/delivery-queue.js';
import { attemptDelivery } from './lib/webhook.js';

export function serverHost(): string {
  return process.env.SERVER_HOSTNAME ?? 'tag-service';
}

/** The same delivery id for the same event and notification, however often SQS hands it over. */
function deliveryIdOf(eventId: string, uuid: string): string {
  const hex = createHash('sha256').update(`${eventId}\n${uuid}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

async function fanOut(event: TagEvent): Promise<number> {
  const deps = serviceDeps();
  const notifications = await deps.store.notifications.listNotifications(repoPK(event.namespace, event.name));
  let sent = 0;
  for (const notification of notifications.filter((candidate) => notificationMatches(candidate, event))) {
    const job: DeliveryJob = {
      kind: 'delivery',
      namespace: event.namespace,
      repository: event.name,
      uuid: notification.uuid,
      event: notification.event,
      deliveryId: deliveryIdOf(event.id, notification.uuid),
      body: webhookBody(notification, event, serverHost()),
      attempt: 1,
    };
    await attemptDelivery(deps, deliveryQueue(), notification, job);
    sent++;
  }
  return sent;
}

async function deliverJob(job: DeliveryJob): Promise<void> {
  const deps = serviceDeps();
  const notification = await deps.store.notifications.getNotification(repoPK(job.namespace, job.repository), job.uuid);
  // Deleted since: nothing to deliver.
  if (notification) await attemptDelivery(deps, deliveryQueue(), notification, job);
}

export async function handleMessage(body: string): Promise<void> {
  const message = JSON.parse(body) as { kind?: string; 'detail-type'?: string; detail?: TagEvent };
  if (message.kind === 'delivery') return deliverJob(message as unknown as DeliveryJob);
  if (message['detail-type'] === EVENT_DETAIL_TYPE && message.detail) return void (await fanOut(message.detail));
  log('warn', { message: 'delivery queue: unknown message ignored' });
}

export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    try {
      await handleMessage(record.body);
    } catch (error) {
      log('error', { message: 'delivery message failed', messageId: record.messageId, error: String(error) });
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
}
