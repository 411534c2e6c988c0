/**
 * Stream records as Lambda delivers them: GetRecords returns SDK attribute values (binary as bytes,
 * dates as Date); a DynamoDB Streams event source mapping hands the function JSON (binary as base64,
 * creation time in epoch seconds, the function's region).
 */
import type { DynamoDBRecord } from 'aws-lambda';
import type { _Record as StreamSdkRecord, AttributeValue as SdkAttributeValue } from '@aws-sdk/client-dynamodb-streams';

type AttributeValue = NonNullable<NonNullable<DynamoDBRecord['dynamodb']>['Keys']>[string];

function toBase64(value: Uint8Array | string): string {
  return typeof value === 'string' ? value : Buffer.from(value).toString('base64');
}

/** SDK attribute values (binary as bytes) → the JSON shape Lambda delivers (binary as base64). */
export function toLambdaAttribute(value: SdkAttributeValue): AttributeValue {
  if (value.S !== undefined) return { S: value.S };
  if (value.N !== undefined) return { N: value.N };
  if (value.B !== undefined) return { B: toBase64(value.B) };
  if (value.SS !== undefined) return { SS: value.SS };
  if (value.NS !== undefined) return { NS: value.NS };
  if (value.BS !== undefined) return { BS: value.BS.map(toBase64) };
  if (value.BOOL !== undefined) return { BOOL: value.BOOL };
  if (value.NULL !== undefined) return { NULL: value.NULL };
  if (value.L !== undefined) return { L: value.L.map(toLambdaAttribute) };
  if (value.M !== undefined) return { M: toLambdaImage(value.M) };
  // DynamoDB Local writes an empty map into stream records as `{}` instead of `{"M":{}}` (an empty
  // map is the only attribute value that can come out empty); DynamoDB and Lambda say `{"M":{}}`.
  if (Object.keys(value).length === 0) return { M: {} };
  // Anything else unforeseen is passed on as is rather than wedging the poller.
  return value as unknown as AttributeValue;
}

function toLambdaImage(image: Record<string, SdkAttributeValue>): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const [name, value] of Object.entries(image)) out[name] = toLambdaAttribute(value);
  return out;
}

/** One GetRecords record → one record of Lambda's `DynamoDBStreamEvent`. */
export function toLambdaRecord(record: StreamSdkRecord, streamArn: string, region: string): DynamoDBRecord {
  const source = record.dynamodb ?? {};
  const created = source.ApproximateCreationDateTime as Date | number | string | undefined;
  const dynamodb: NonNullable<DynamoDBRecord['dynamodb']> = {};
  if (created !== undefined) {
    const ms = created instanceof Date ? created.getTime() : typeof created === 'number' ? created * 1000 : Date.parse(created);
    dynamodb.ApproximateCreationDateTime = Math.floor(ms / 1000);
  }
  if (source.Keys) dynamodb.Keys = toLambdaImage(source.Keys);
  if (source.NewImage) dynamodb.NewImage = toLambdaImage(source.NewImage);
  if (source.OldImage) dynamodb.OldImage = toLambdaImage(source.OldImage);
  if (source.SequenceNumber !== undefined) dynamodb.SequenceNumber = source.SequenceNumber;
  if (source.SizeBytes !== undefined) dynamodb.SizeBytes = source.SizeBytes;
  if (source.StreamViewType !== undefined) dynamodb.StreamViewType = source.StreamViewType;
  const out: DynamoDBRecord = {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: record.eventSource ?? 'aws:dynamodb',
    // DynamoDB Local says "ddblocal"; Lambda reports the function's region.
    awsRegion: region,
    dynamodb,
    eventSourceARN: streamArn,
  };
  if (record.userIdentity) {
    out.userIdentity = { type: record.userIdentity.Type, principalId: record.userIdentity.PrincipalId };
  }
  return out;
}

