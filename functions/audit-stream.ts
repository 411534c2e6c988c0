/**
 * The registry table's stream consumer: every change item (the outbox a mutation writes in its own
 * transaction) becomes one audit entry. Replays write nothing twice (keyed by the stream event id);
 * a record that fails is reported in batchItemFailures so the others are not held back.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { serviceDeps } from '../shared/deps.js';
import { toAuditEntry } from '../shared/store/audit.js';
import type { AuditEntry } from '../shared/store/audit.js';
import { log } from '../shared/log.js';

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

export async function handler(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  const started = performance.now();
  const { store, config } = serviceDeps();
  const batchItemFailures: DynamoDBBatchResponse['batchItemFailures'] = [];
  let written = 0;
  let replayed = 0;
  // In order: entries of one repository stay in their stream order.
  for (const record of event.Records) {
    try {
      const entry = auditEntryOf(record);
      if (!entry) continue;
      if (await store.audit.putAuditEntry(entry, config.auditRetentionDays)) written++;
      else replayed++;
    } catch (error) {
      log('error', { message: 'audit record failed', eventID: record.eventID, error: String(error) });
      batchItemFailures.push({ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' });
    }
  }
  log('info', {
    function: 'audit-stream',
    records: event.Records.length,
    written,
    replayed,
    failed: batchItemFailures.length,
    durationMs: Math.round(performance.now() - started),
  });
  return { batchItemFailures };
}
