/**
 * The registry stream's second consumer (its own event source mapping, independent of the audit
 * consumer): every tag change becomes one EventBridge event (docs/events.md). Entries go out in
 * PutEvents calls of up to 10; entries EventBridge refuses are retried with back-off, and records
 * whose entry still fails are reported in batchItemFailures, so Lambda retries from the first of
 * them (entries after it may be published again: consumers deduplicate by the detail's `id`).
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { EVENT_DETAIL_TYPE, EVENT_SOURCE, tagEventOf, type TagEvent } from '../shared/domain/events.js';
import { changeOfItem } from '../shared/store/changes.js';
import { log } from '../shared/log.js';
import { eventBus, eventBusName, PUT_EVENTS_MAX_ENTRIES, type BusEntry, type EventBus } from './lib/event-bus.js';

export interface PendingEntry {
  /** The stream record's sequence number (the batch item identifier). */
  itemIdentifier: string;
  entry: BusEntry;
}

export interface PublishOptions {
  /** Further calls for the entries a call refused; default 3. */
  retries?: number;
  /** First back-off; doubles each retry. Default 100 ms. */
  backoffMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The EventBridge entry of a tag event. */
export function busEntryOf(event: TagEvent, busName: string): BusEntry {
  return { Source: EVENT_SOURCE, DetailType: EVENT_DETAIL_TYPE, Detail: JSON.stringify(event), EventBusName: busName };
}

/** Publishes in calls of up to 10 entries, retrying refused entries; returns the entries that never went out. */
export async function publishEntries(bus: EventBus, pending: PendingEntry[], options: PublishOptions = {}): Promise<PendingEntry[]> {
  const retries = options.retries ?? 3;
  const sleep = options.sleep ?? pause;
  let remaining = pending;
  for (let attempt = 0; remaining.length > 0 && attempt <= retries; attempt++) {
    if (attempt > 0) await sleep((options.backoffMs ?? 100) * 2 ** (attempt - 1));
    const refused: PendingEntry[] = [];
    for (let start = 0; start < remaining.length; start += PUT_EVENTS_MAX_ENTRIES) {
      const chunk = remaining.slice(start, start + PUT_EVENTS_MAX_ENTRIES);
      try {
        const outcome = await bus.putEvents(chunk.map((item) => item.entry));
        for (const failure of outcome.failed) if (chunk[failure.index]) refused.push(chunk[failure.index]);
        if (outcome.failed.length) log('warn', { message: 'PutEvents refused entries', refused: outcome.failed.map((failure) => failure.code) });
      } catch (error) {
        log('warn', { message: 'PutEvents failed', error: String(error) });
        refused.push(...chunk);
      }
    }
    remaining = refused;
  }
  return remaining;
}

/** The bus entries of a stream batch, in stream order (records that are not tag changes have none). */
export function pendingEntriesOf(event: DynamoDBStreamEvent, busName: string): PendingEntry[] {
  const pending: PendingEntry[] = [];
  for (const record of event.Records) {
    if (record.eventName !== 'INSERT' || !record.dynamodb?.NewImage) continue;
    const parsed = changeOfItem(unmarshall(record.dynamodb.NewImage as Record<string, AttributeValue>));
    const tagEvent = parsed && tagEventOf(parsed.change, parsed.id);
    if (tagEvent) pending.push({ itemIdentifier: record.dynamodb.SequenceNumber ?? '', entry: busEntryOf(tagEvent, busName) });
  }
  return pending;
}

export async function handler(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  const pending = pendingEntriesOf(event, eventBusName());
  const unpublished = await publishEntries(eventBus(), pending);
  log('info', { function: 'event-publisher', records: event.Records.length, events: pending.length, failed: unpublished.length });
  return { batchItemFailures: unpublished.map((item) => ({ itemIdentifier: item.itemIdentifier })) };
}
