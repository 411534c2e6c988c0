/**
 * The local stand-in for the SQS delivery queue: messages wait until due by the service clock (so
 * `POST /_local/clock` makes delayed retries due), then go to the delivery function as SQS events,
 * one message each. A message the function fails is received again up to 3 times, then "sent to
 * the DLQ" (a JSON line on stderr), as the queue's redrive policy does on AWS.
 */
import { randomUUID } from 'node:crypto';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { clock } from '../../shared/clock.js';
import type { DeliveryJob, DeliveryQueue } from '../../functions/lib/delivery-queue.js';

type SqsHandler = (event: SQSEvent) => Promise<SQSBatchResponse | void>;

interface Message {
  id: string;
  body: string;
  dueAt: number;
  receives: number;
}

const MAX_RECEIVES = 3;

export class LocalDeliveryQueue implements DeliveryQueue {
  private messages: Message[] = [];
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly handler: () => Promise<SqsHandler>, private readonly log: (line: string) => void) {}

  async send(job: DeliveryJob, delaySeconds: number): Promise<void> {
    this.enqueue(JSON.stringify(job), delaySeconds);
  }

  enqueue(body: string, delaySeconds = 0): void {
    this.messages.push({ id: randomUUID(), body, dueAt: clock.now() + Math.min(900, delaySeconds) * 1000, receives: 0 });
  }

  /** Messages not yet delivered (due or waiting for the clock). */
  get size(): number {
    return this.messages.length;
  }

  /** Runs every due message (and any that become due meanwhile) through the delivery function. */
  drain(): Promise<void> {
    const run = this.chain.then(() => this.drainNow());
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async drainNow(): Promise<void> {
    const handler = await this.handler();
    for (;;) {
      const now = clock.now();
      const message = this.messages.find((candidate) => candidate.dueAt <= now);
      if (!message) return;
      this.messages.splice(this.messages.indexOf(message), 1);
      message.receives++;
      let failed: boolean;
      try {
        const response = await handler({ Records: [sqsRecord(message)] });
        failed = (response?.batchItemFailures ?? []).length > 0;
      } catch {
        failed = true;
      }
      if (!failed) continue;
      if (message.receives < MAX_RECEIVES) this.messages.push({ ...message, dueAt: clock.now() + 30_000 });
      else this.log(JSON.stringify({ level: 'error', msg: 'delivery message sent to the DLQ', source: 'local-delivery-queue', messageId: message.id }));
    }
  }
}

function sqsRecord(message: Message): SQSEvent['Records'][number] {
  return {
    messageId: message.id,
    receiptHandle: message.id,
    body: message.body,
    attributes: {
      ApproximateReceiveCount: String(message.receives),
      SentTimestamp: String(message.dueAt),
      SenderId: 'local',
      ApproximateFirstReceiveTimestamp: String(clock.now()),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:delivery',
    awsRegion: 'us-east-1',
  };
}
