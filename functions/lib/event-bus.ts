/**
 * Where tag events go: the stack's EventBridge bus on AWS; locally, the local runtime's bus (it
 * provides one before it starts its stream pollers). PutEvents may accept some entries of a call
 * and refuse others: the result names the refused ones so the caller can retry only those.
 */
import { awsJsonClient } from './aws-json.js';

/** One PutEvents entry, as EventBridge takes it (Detail is a JSON string). */
export interface BusEntry {
  Source: string;
  DetailType: string;
  Detail: string;
  EventBusName: string;
}

export interface PutEventsOutcome {
  /** Positions (in the call's entries) EventBridge refused, with its error code. */
  failed: { index: number; code: string }[];
}

export interface EventBus {
  putEvents(entries: BusEntry[]): Promise<PutEventsOutcome>;
}

/** EventBridge takes at most 10 entries per PutEvents call. */
export const PUT_EVENTS_MAX_ENTRIES = 10;

interface PutEventsResponse {
  FailedEntryCount?: number;
  Entries?: { EventId?: string; ErrorCode?: string; ErrorMessage?: string }[];
}

export function eventBridgeBus(region: string): EventBus {
  const call = awsJsonClient({ service: 'events', jsonVersion: '1.1', targetPrefix: 'AWSEvents' }, region);
  return {
    async putEvents(entries) {
      const response = await call<PutEventsResponse>('PutEvents', { Entries: entries });
      const failed: PutEventsOutcome['failed'] = [];
      if (response.FailedEntryCount) {
        (response.Entries ?? []).forEach((entry, index) => {
          if (entry.ErrorCode) failed.push({ index, code: entry.ErrorCode });
        });
      }
      return { failed };
    },
  };
}

let provided: EventBus | undefined;
let coldStart: EventBus | undefined;

/** The local runtime hands its functions its own bus (undefined when it stops). */
export function provideEventBus(bus: EventBus | undefined): void {
  provided = bus;
}

export function eventBus(): EventBus {
  return provided ?? (coldStart ??= eventBridgeBus(process.env.AWS_REGION ?? 'us-east-1'));
}

/** The bus name entries are addressed to (set by the stack). */
export function eventBusName(): string {
  return process.env.EVENT_BUS_NAME ?? 'tag-service';
}
