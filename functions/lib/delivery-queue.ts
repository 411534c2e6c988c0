/**
 * The webhook delivery queue: SQS on AWS (fed by the bus's rule, and by the delivery function for
 * retries, with a delay); locally, the local runtime's queue, which runs the same delivery function.
 */
import { awsJsonClient } from './aws-json.js';

/** One delivery of one event to one notification (a retry carries attempt > 1). */
export interface DeliveryJob {
  kind: 'delivery';
  namespace: string;
  repository: string;
  uuid: string;
  /** The event name sent in X-Tag-Service-Event. */
  event: string;
  /** Constant across retries (X-Tag-Service-Delivery). */
  deliveryId: string;
  body: Record<string, unknown>;
  attempt: number;
}

export interface DeliveryQueue {
  send(job: DeliveryJob, delaySeconds: number): Promise<void>;
}

export function sqsDeliveryQueue(queueUrl: string, region: string): DeliveryQueue {
  const call = awsJsonClient({ service: 'sqs', jsonVersion: '1.0', targetPrefix: 'AmazonSQS' }, region);
  return {
    async send(job, delaySeconds) {
      // SQS delays at most 15 minutes.
      await call('SendMessage', { QueueUrl: queueUrl, MessageBody: JSON.stringify(job), DelaySeconds: Math.min(900, Math.max(0, Math.round(delaySeconds))) });
    },
  };
}

let provided: DeliveryQueue | undefined;
let coldStart: DeliveryQueue | undefined;

export function provideDeliveryQueue(queue: DeliveryQueue | undefined): void {
  provided = queue;
}

export function deliveryQueue(): DeliveryQueue {
  if (provided) return provided;
  const url = process.env.DELIVERY_QUEUE_URL;
  if (!url) throw new Error('DELIVERY_QUEUE_URL is not set');
  return (coldStart ??= sqsDeliveryQueue(url, process.env.AWS_REGION ?? 'us-east-1'));
}
