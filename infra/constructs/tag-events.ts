/**
 * Tag events on AWS (docs/events.md):
 *
 *   registry stream ──> event-publisher (its own event source mapping: filtered to tag changes,
 *                       partial batch failures, SQS DLQ) ──PutEvents──> the TagEvents bus
 *
 * The publisher reads the stream through a second event source mapping rather than sharing the
 * audit consumer's: a failing bus never holds the audit back, and the reverse. DynamoDB Streams
 * serves two readers per shard without throttling; that is all this uses.
 */
import { Duration } from 'aws-cdk-lib';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { FilterCriteria, FilterRule, StartingPosition, type IFunction } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { ServiceTable } from './table.js';

export interface TagEventsProps {
  registry: ServiceTable;
  publisher: IFunction;
  /** Where stream batches the publisher gave up on go. */
  deadLetters: Queue;
}

export class TagEvents extends Construct {
  readonly bus: EventBus;

  constructor(scope: Construct, id: string, props: TagEventsProps) {
    super(scope, id);
    this.bus = new EventBus(this, 'Bus', { description: 'Tag changes of the tag service (Source "tag-service", DetailType "Tag Change")' });
    this.bus.grantPutEventsTo(props.publisher);
    props.publisher.addEventSource(
      new DynamoEventSource(props.registry.table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        bisectBatchOnError: true,
        retryAttempts: 5,
        maxRecordAge: Duration.hours(6),
        reportBatchItemFailures: true,
        parallelizationFactor: 1,
        onFailure: new SqsDlq(props.deadLetters),
        // Only change items about a tag become events (functions/event-publisher.ts).
        filters: [
          FilterCriteria.filter({
            eventName: FilterRule.isEqual('INSERT'),
            dynamodb: { NewImage: { type: { S: FilterRule.isEqual('change') }, subject: { M: { tag: { S: FilterRule.exists() } } } } },
          }),
        ],
      }),
    );
  }
}
