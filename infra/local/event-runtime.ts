/**
 * The local event path, wired like the stack: a second stream poller (the event publisher's own
 * event source mapping) publishes tag changes to the local bus; the bus's "rule" puts each event on
 * the local delivery queue, which runs the delivery function. `flush()` returns once every stream
 * record written so far has been published and every due delivery attempted.
 */
import { randomUUID } from 'node:crypto';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { provideDeliveryQueue } from '../../functions/lib/delivery-queue.js';
import { provideEventBus } from '../../functions/lib/event-bus.js';
import { clock } from '../../shared/clock.js';
import { LocalDeliveryQueue } from './delivery-queue.js';
import { LocalEventBus, type RecordedEvent } from './event-bus.js';
import { loadFunction } from './handlers.js';
import { startStreamPoller, type StreamHandler, type StreamPoller } from './stream-poller.js';

export const EVENT_PUBLISHER = 'event-publisher';
export const WEBHOOK_DELIVERY = 'webhook-delivery';

export interface EventRuntime {
  bus: LocalEventBus;
  queue: LocalDeliveryQueue;
  /** Every entry published so far, oldest first. */
  events(): RecordedEvent[];
  flush(timeoutMs?: number): Promise<boolean>;
  stop(): Promise<void>;
}

export async function startEventRuntime(options: { endpoint: string; tableName: string; region: string; log(line: string): void }): Promise<EventRuntime> {
  const queue = new LocalDeliveryQueue(async () => {
    const delivery = await loadFunction<(event: SQSEvent) => Promise<SQSBatchResponse>>(WEBHOOK_DELIVERY);
    if (!delivery) throw new Error(`functions/${WEBHOOK_DELIVERY}.ts is missing`);
    return delivery;
  }, options.log);
  // The stack's rule: every entry of the bus goes to the delivery queue, as EventBridge sends it.
  const bus = new LocalEventBus((entry) =>
    queue.enqueue(
      JSON.stringify({
        version: '0',
        id: randomUUID(),
        'detail-type': entry.DetailType,
        source: entry.Source,
        account: '000000000000',
        time: new Date(clock.now()).toISOString(),
        region: options.region,
        resources: [],
        detail: entry.Detail,
      }),
    ),
  );
  provideEventBus(bus);
  provideDeliveryQueue(queue);
  // Deliveries also run on their own (npm start), not only when a test flushes.
  const timer = setInterval(() => void queue.drain().catch((error) => options.log(`delivery queue: ${String(error)}`)), 1000);
  timer.unref();
  const publisher = await loadFunction<StreamHandler>(EVENT_PUBLISHER);
  if (!publisher) throw new Error(`functions/${EVENT_PUBLISHER}.ts is missing`);
  const poller: StreamPoller = startStreamPoller({
    endpoint: options.endpoint,
    tableName: options.tableName,
    region: options.region,
    functionName: EVENT_PUBLISHER,
    handler: (event, context) => publisher(event, context),
  });
  return {
    bus,
    queue,
    events: () => bus.entries,
    async flush(timeoutMs) {
      if (!(await poller.flush(timeoutMs))) return false;
      await queue.drain();
      return true;
    },
    async stop() {
      clearInterval(timer);
      await poller.stop();
      provideEventBus(undefined);
      provideDeliveryQueue(undefined);
    },
  };
}
