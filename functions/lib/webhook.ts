/**
 * One webhook attempt: the URL re-checked after DNS resolution, a signed POST of the exact body
 * with a 10 s timeout and no redirects followed (a redirect could lead anywhere), the outcome
 * logged with the failure count, and a retry queued with back-off while attempts remain.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import type { Deps } from '../../shared/deps.js';
import { webhookUrlProblem } from '../../shared/domain/events-webhook-url.js';
import { repoPK, WriteConflictError, type DeliveryRecord, type NotificationRecord } from '../../shared/store/index.js';
import { log } from '../../shared/log.js';
import type { DeliveryJob, DeliveryQueue } from './delivery-queue.js';

export const SEND_TIMEOUT_MS = 10_000;
export const MAX_ATTEMPTS = 5;
/** Quay disables a notification after 3 consecutive failures (until reset). */
export const DISABLED_AFTER_FAILURES = 3;

/** Seconds before attempt `attempt` (2, 3, ...): 30 s, 60 s, 120 s, 240 s. */
export function backoffSeconds(attempt: number): number {
  return 30 * 2 ** (attempt - 2);
}

export function signature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export const resolveHost = async (host: string) => (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);

async function post(url: string, job: DeliveryJob, secret: string): Promise<Pick<DeliveryRecord, 'outcome' | 'responseCode' | 'error'>> {
  const body = JSON.stringify(job.body);
  try {
    const response = await fetch(url, {
      method: 'POST',
      redirect: 'manual',
      signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
      headers: {
        'content-type': 'application/json',
        'user-agent': 'tag-service-webhook/1',
        'x-tag-service-event': job.event,
        'x-tag-service-delivery': job.deliveryId,
        'x-tag-service-signature': signature(secret, body),
      },
      body,
    });
    await response.body?.cancel();
    const ok = response.status >= 200 && response.status < 300;
    return { outcome: ok ? 'delivered' : 'failed', responseCode: response.status, error: ok ? null : `HTTP ${response.status}` };
  } catch (error) {
    return { outcome: 'failed', responseCode: null, error: (error as Error).name === 'TimeoutError' ? 'timed out after 10 s' : 'connection failed' };
  }
}

/** Attempts one delivery; returns the logged outcome. */
export async function attemptDelivery(deps: Pick<Deps, 'store' | 'clock' | 'config'>, queue: DeliveryQueue, notification: NotificationRecord, job: DeliveryJob) {
  const pk = repoPK(job.namespace, job.repository);
  let result: Pick<DeliveryRecord, 'outcome' | 'responseCode' | 'error'>;
  if (notification.numberOfFailures >= DISABLED_AFTER_FAILURES) {
    result = { outcome: 'skipped', responseCode: null, error: `disabled after ${DISABLED_AFTER_FAILURES} consecutive failures; reset it to resume` };
  } else {
    const problem = await webhookUrlProblem(notification.config.url, { local: deps.config.isLocal, resolve: resolveHost });
    result = problem ? { outcome: 'refused', responseCode: null, error: problem } : await post(notification.config.url as string, job, notification.secret);
  }
  const record: DeliveryRecord = { id: randomUUID(), event: job.event, at: deps.clock.now(), attempt: job.attempt, ...result };
  try {
    await deps.store.notifications.recordDelivery(pk, notification.uuid, record);
  } catch (error) {
    // Deleted meanwhile: nothing to log it under, nothing to retry.
    if (error instanceof WriteConflictError) return record;
    throw error;
  }
  if (record.outcome === 'failed' && job.attempt < MAX_ATTEMPTS) {
    await queue.send({ ...job, attempt: job.attempt + 1 }, backoffSeconds(job.attempt + 1));
  } else if (record.outcome === 'failed') {
    log('warn', { message: 'webhook delivery gave up', notification: notification.uuid, delivery: job.deliveryId, attempts: job.attempt });
  }
  return record;
}
