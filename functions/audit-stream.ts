/**
 * The registry table's stream consumer: every change item (the outbox a mutation writes in its own
 * transaction) becomes one audit entry. Runs on Powertools' batch processor, one record at a time
 * (entries of one repository stay in their stream order); replays write nothing twice (keyed by the
 * stream event id); a record that fails is reported in batchItemFailures so the others are not held
 * back. Counts the committed tag changes by kind (shared/metrics.ts).
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { serviceDeps } from '../shared/deps.js';
import { toAuditEntry } from '../shared/store/audit.js';
import type { AuditEntry } from '../shared/store/audit.js';
import { log, logger } from '../shared/log.js';
import { countTagChanges, publishMetrics } from '../shared/metrics.js';

/** The audit entry a stream record stands for, or null for records that are not changes. */
export function auditEntryOf(record: DynamoDBRecord): AuditEntry | null {
  if (record.eventName !== 'INSERT' || !record.dynamodb?.NewImage) return null;
  const item = unmarshall(record.dynamodb.NewImage as Record<string, AttributeValue>);
  if (item.type !== 'change') return null;
  if (typeof item.kind !== 'string' || typeof item.namespace !== 'string' || typeof item.at !== 'number' || !record.eventID) {
    throw new Error(`malformed change item ${String(item.SK)}`);
  }
  return toAuditEntry(item, record.eventID);
}

const processor = new BatchProcessor(EventType.DynamoDBStreams);

export async function handler(event: DynamoDBStreamEvent, context?: Context): Promise<DynamoDBBatchResponse> {
  const started = performance.now();
  if (context) logger.addContext(context);
  const { store, config } = serviceDeps();
  let written = 0;
  let replayed = 0;
  const byKind = new Map<string, number>();
  async function recordHandler(record: DynamoDBRecord) {
    try {
      const entry = auditEntryOf(record);
      if (!entry) return;
      if (await store.audit.putAuditEntry(entry, config.auditRetentionDays)) {
        written++;
        byKind.set(entry.kind, (byKind.get(entry.kind) ?? 0) + 1);
      } else replayed++;
    } catch (error) {
      log('error', { message: 'audit record failed', eventID: record.eventID, error: String(error) });
      throw error;
    }
  }
  const response = await processPartialResponse(event, recordHandler, processor, {
    context,
    processInParallel: false,
    // A batch of only failures is reported like any other (Lambda retries from the first failure).
    throwOnFullBatchFailure: false,
  });
  countTagChanges(byKind);
  publishMetrics();
  log('info', {
    function: 'audit-stream',
    records: event.Records.length,
    written,
    replayed,
    failed: response.batchItemFailures.length,
    durationMs: Math.round(performance.now() - started),
  });
  return response;
}
