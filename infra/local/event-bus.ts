/**
 * The local stand-in for the stack's EventBridge bus: it accepts every entry and keeps it, in
 * order, for `GET /_local/events` (each as EventBridge would receive it, the detail parsed).
 */
import type { BusEntry, EventBus } from '../../functions/lib/event-bus.js';

export interface RecordedEvent {
  Source: string;
  DetailType: string;
  Detail: unknown;
  EventBusName: string;
}

export class LocalEventBus implements EventBus {
  readonly entries: RecordedEvent[] = [];
  /** Called with each accepted entry (the local rule that feeds the delivery queue). */
  constructor(private readonly onEntry?: (entry: RecordedEvent) => void) {}

  async putEvents(entries: BusEntry[]) {
    if (entries.length > 10) throw new Error('PutEvents takes at most 10 entries');
    for (const entry of entries) {
      const recorded = { Source: entry.Source, DetailType: entry.DetailType, Detail: JSON.parse(entry.Detail) as unknown, EventBusName: entry.EventBusName };
      this.entries.push(recorded);
      this.onEntry?.(recorded);
    }
    return { failed: [] };
  }
}
