/**
 * Tag events on AWS (docs/events.md):
 *
 *   registry stream ──> event-publisher (its own event source mapping: filtered to tag changes,
 *                       partial batch failures, SQS DLQ) ──PutEvents──> the TagEvents bus
 *   bus ──rule (Source tag-service)──> delivery queue (SQS, DLQ after 5 receives) ──> webhook-delivery
 *   webhook-delivery, test-notification, expiry-sweep ──SendMessage (delayed retries, tests, expiry notices)──> delivery queue
 *
 * The publisher reads the stream through a second event source mapping rather than sharing the
 * audit consumer's: a failing bus never holds the audit back, and the reverse. DynamoDB Streams
 * serves two readers per shard without throttling; that is all this uses.
 */
import { Duration } from 'aws-cdk-lib';
import { EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { FilterCriteria, FilterRule, StartingPosition, type IFunction } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { ServiceTable } from './table.js';

/**
 * A consumer of the registry stream's new items matching `newImage`: in order, partial batch
 * failures, bisection and 5 retries within 6 hours, then the batch to `deadLetters`.
 */
export function changeStreamSource(registry: ServiceTable, deadLetters: Queue, newImage: Record<string, unknown>): DynamoEventSource {
  return new DynamoEventSource(registry.table, {
    startingPosition: StartingPosition.TRIM_HORIZON,
    batchSize: 100,
    bisectBatchOnError: true,
    retryAttempts: 5,
    maxRecordAge: Duration.hours(6),
    reportBatchItemFailures: true,
    parallelizationFactor: 1,
    onFailure: new SqsDlq(deadLetters),
    filters: [FilterCriteria.filter({ eventName: FilterRule.isEqual('INSERT'), dynamodb: { NewImage: newImage } })],
  });
}

export interface TagEventsProps {
  registry: ServiceTable;
  publisher: IFunction;
  /** Where stream batches the publisher gave up on go. */
  deadLetters: Queue;
  /** The delivery function (SQS consumer) and the functions that queue deliveries themselves. */
  delivery: IFunction;
  deliverySenders: IFunction[];
}

export class TagEvents extends Construct {
  readonly bus: EventBus;
  readonly deliveryQueue: Queue;
  readonly deliveryDeadLetters: Queue;

  constructor(scope: Construct, id: string, props: TagEventsProps) {
    super(scope, id);
    this.bus = new EventBus(this, 'Bus', { description: 'Tag changes of the tag service (Source "tag-service", DetailType "Tag Change")' });
    this.bus.grantPutEventsTo(props.publisher);
    // Only change items about a tag become events (functions/event-publisher.ts).
    props.publisher.addEventSource(
      changeStreamSource(props.registry, props.deadLetters, { type: { S: FilterRule.isEqual('change') }, subject: { M: { tag: { S: FilterRule.exists() } } } }),
    );

    // Deliveries: every event of the bus goes to the queue; messages that keep failing (the
    // function threw, e.g. DynamoDB unavailable) land in the DLQ. Webhook failures themselves are
    // retried by the function with a delay and logged per attempt (docs/events.md).
    this.deliveryDeadLetters = new Queue(this, 'DeliveryDeadLetters', { retentionPeriod: Duration.days(14), encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true });
    this.deliveryQueue = new Queue(this, 'DeliveryQueue', {
      // Six times the function's timeout, as Lambda recommends for SQS event sources.
      visibilityTimeout: Duration.minutes(6),
      retentionPeriod: Duration.days(4),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: this.deliveryDeadLetters, maxReceiveCount: 5 },
    });
    new Rule(this, 'ToDelivery', {
      eventBus: this.bus,
      description: 'Every tag change to the webhook delivery queue',
      eventPattern: { source: ['tag-service'], detailType: ['Tag Change'] },
      targets: [new SqsQueue(this.deliveryQueue, { deadLetterQueue: this.deliveryDeadLetters, retryAttempts: 10, maxEventAge: Duration.hours(24) })],
    });
    props.delivery.addEventSource(new SqsEventSource(this.deliveryQueue, { batchSize: 10, reportBatchItemFailures: true }));
    for (const sender of [props.delivery, ...props.deliverySenders]) this.deliveryQueue.grantSendMessages(sender);
  }
}
