/**
 * The local event path, wired like the stack: a second stream poller (the event publisher's own
 * event source mapping) publishes tag changes to the local bus. `flush()` returns once every
 * stream record written so far has been published.
 */
import { provideEventBus } from '../../functions/lib/event-bus.js';
import { LocalEventBus, type RecordedEvent } from './event-bus.js';
import { loadFunction } from './handlers.js';
import { startStreamPoller, type StreamHandler, type StreamPoller } from './stream-poller.js';

export const EVENT_PUBLISHER = 'event-publisher';

export interface EventRuntime {
  bus: LocalEventBus;
  /** Every entry published so far, oldest first. */
  events(): RecordedEvent[];
  flush(timeoutMs?: number): Promise<boolean>;
  stop(): Promise<void>;
}

export async function startEventRuntime(options: { endpoint: string; tableName: string; region: string }): Promise<EventRuntime> {
  const bus = new LocalEventBus();
  provideEventBus(bus);
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
    events: () => bus.entries,
    flush: (timeoutMs) => poller.flush(timeoutMs),
    async stop() {
      await poller.stop();
      provideEventBus(undefined);
    },
  };
}
