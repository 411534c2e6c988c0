/**
 * Local stand-in for Lambda's DynamoDB Streams event source mapping: polls the registry table's
 * stream and invokes a handler with `DynamoDBStreamEvent` batches, with the mapping's semantics:
 * - batches of at most `batchSize` (100) records from one shard, in order; shards are read parent
 *   before child, starting at TRIM_HORIZON;
 * - `ReportBatchItemFailures`: the handler's `batchItemFailures` move the checkpoint to the lowest
 *   failed sequence number and the batch is retried from there; a thrown error or an unknown
 *   identifier fails the whole batch;
 * - at most `maxRetries` (3) retries, then the batch is "sent to the on-failure destination"
 *   (a JSON log line describing it) and the poller moves on.
 */
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamSdkRecord,
  type AttributeValue as SdkAttributeValue,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';
import { buildContext } from './gateway.js';

type AttributeValue = NonNullable<NonNullable<DynamoDBRecord['dynamodb']>['Keys']>[string];

export type StreamHandler = (
  event: DynamoDBStreamEvent,
  context: Context,
) => Promise<DynamoDBBatchResponse | void | undefined | null | object>;

export interface FailedBatch {
  shardId: string;
  streamArn: string;
  attempts: number;
  reason: string;
  records: DynamoDBRecord[];
}

export interface StreamPollerOptions {
  endpoint: string;
  tableName: string;
  handler: StreamHandler;
  region?: string;
  /** Records per invocation (Lambda's BatchSize); default 100. */
  batchSize?: number;
  /** Pause between polls of an idle stream; default 250 ms. */
  pollIntervalMs?: number;
  /** Retries of a failing batch before it goes to the failure destination; default 3. */
  maxRetries?: number;
  /** Base of the exponential back-off between retries; default 200 ms. */
  retryDelayMs?: number;
  /** The on-failure destination; default: one JSON line on stderr. */
  onFailedBatch?: (batch: FailedBatch) => void;
  /** Name used in the Lambda context and log lines. */
  functionName?: string;
}

export interface StreamPollerStats {
  invocations: number;
  recordsDelivered: number;
  retries: number;
  failedBatches: number;
}

export interface StreamPoller {
  /**
   * Resolves true once every record written before the call has been delivered (or sent to the
   * failure destination); false if that did not happen within `timeoutMs` (default 10 000) or the
   * poller stopped.
   */
  flush(timeoutMs?: number): Promise<boolean>;
  /** Stops polling; waits for a batch in flight to finish. */
  stop(): Promise<void>;
  readonly stats: StreamPollerStats;
  /** The stream being read, once found. */
  readonly streamArn: string | undefined;
}

interface ShardState {
  shardId: string;
  parentShardId: string | undefined;
  iterator: string | undefined;
  /** Last sequence number read into the buffer (to re-open an expired iterator). */
  lastReadSequence: string | undefined;
  /** GetRecords said the shard is closed and fully read. */
  readDone: boolean;
  /** Read, not yet checkpointed. */
  buffer: StreamSdkRecord[];
  /** Failed attempts of the batch that starts at buffer[0]. */
  attempts: number;
  lastFailure: string;
  retryAt: number;
  finished: boolean;
}

interface FlushWaiter {
  round: number;
  resolve(flushed: boolean): void;
}

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

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

function defaultFailureDestination(batch: FailedBatch): void {
  const sequence = batch.records.map((record) => record.dynamodb?.SequenceNumber).filter(Boolean) as string[];
  process.stderr.write(
    `${JSON.stringify({
      level: 'error',
      msg: 'stream batch sent to the on-failure destination',
      source: 'local-stream-poller',
      streamArn: batch.streamArn,
      shardId: batch.shardId,
      attempts: batch.attempts,
      reason: batch.reason,
      batchSize: batch.records.length,
      startSequenceNumber: sequence[0],
      endSequenceNumber: sequence.at(-1),
      records: batch.records.map((record) => ({
        eventID: record.eventID,
        eventName: record.eventName,
        sequenceNumber: record.dynamodb?.SequenceNumber,
        keys: record.dynamodb?.Keys,
      })),
    })}\n`,
  );
}

/** Starts polling at once; call `stop()` to end it. */
export function startStreamPoller(options: StreamPollerOptions): StreamPoller {
  const region = options.region ?? process.env.AWS_REGION ?? 'us-east-1';
  const batchSize = Math.max(1, Math.min(options.batchSize ?? 100, 10_000));
  const pollIntervalMs = options.pollIntervalMs ?? 250;
  const maxRetries = options.maxRetries ?? 3;
  const retryDelayMs = options.retryDelayMs ?? 200;
  const onFailedBatch = options.onFailedBatch ?? defaultFailureDestination;
  const functionName = options.functionName ?? 'audit-stream';
  const credentials = {
    accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? 'local',
    secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? 'local',
  };
  const dynamo = new DynamoDBClient({ endpoint: options.endpoint, region, credentials });
  const streams = new DynamoDBStreamsClient({ endpoint: options.endpoint, region, credentials });

  const stats: StreamPollerStats = { invocations: 0, recordsDelivered: 0, retries: 0, failedBatches: 0 };
  const shards = new Map<string, ShardState>();
  const finishedShards = new Set<string>();
  let streamArn: string | undefined;
  let needDiscovery = true;
  let stopped = false;
  let round = 0;
  let waiters: FlushWaiter[] = [];
  let wake: (() => void) | undefined;
  let lastErrorLogged = '';

  const logError = (message: string, error: unknown) => {
    const text = `${message}: ${describeError(error)}`;
    if (text === lastErrorLogged) return;
    lastErrorLogged = text;
    process.stderr.write(`${JSON.stringify({ level: 'warn', msg: text, source: 'local-stream-poller' })}\n`);
  };

  const pause = (ms: number) =>
    new Promise<void>((done) => {
      const timer = setTimeout(finish, ms);
      function finish() {
        clearTimeout(timer);
        wake = undefined;
        done();
      }
      wake = finish;
    });

  async function findStream(): Promise<boolean> {
    const table = await dynamo.send(new DescribeTableCommand({ TableName: options.tableName }));
    const arn = table.Table?.LatestStreamArn;
    if (!arn) return false;
    if (arn !== streamArn) {
      // A new stream (table recreated): start over on it.
      streamArn = arn;
      shards.clear();
      finishedShards.clear();
      needDiscovery = true;
    }
    return true;
  }

  async function discoverShards(): Promise<void> {
    if (!streamArn) return;
    const found: Shard[] = [];
    let exclusiveStartShardId: string | undefined;
    do {
      const page = await streams.send(
        new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: exclusiveStartShardId }),
      );
      found.push(...(page.StreamDescription?.Shards ?? []));
      exclusiveStartShardId = page.StreamDescription?.LastEvaluatedShardId;
    } while (exclusiveStartShardId);
    for (const shard of found) {
      if (!shard.ShardId || shards.has(shard.ShardId) || finishedShards.has(shard.ShardId)) continue;
      shards.set(shard.ShardId, {
        shardId: shard.ShardId,
        parentShardId: shard.ParentShardId,
        iterator: undefined,
        lastReadSequence: undefined,
        readDone: false,
        buffer: [],
        attempts: 0,
        lastFailure: '',
        retryAt: 0,
        finished: false,
      });
    }
    needDiscovery = false;
  }

  /** A shard may be read once its parent is fully processed (or no longer listed). */
  function ready(shard: ShardState): boolean {
    return !shard.parentShardId || finishedShards.has(shard.parentShardId) || !shards.has(shard.parentShardId);
  }

  async function openIterator(shard: ShardState): Promise<void> {
    const input = shard.lastReadSequence
      ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER' as const, SequenceNumber: shard.lastReadSequence }
      : { ShardIteratorType: 'TRIM_HORIZON' as const };
    const result = await streams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shard.shardId, ...input }));
    shard.iterator = result.ShardIterator;
    if (!shard.iterator) shard.readDone = true;
  }

  /** Reads what is available on one shard into its buffer; returns the number of records read. */
  async function read(shard: ShardState): Promise<number> {
    if (shard.readDone) return 0;
    if (!shard.iterator) await openIterator(shard);
    if (!shard.iterator) return 0;
    let result;
    try {
      result = await streams.send(new GetRecordsCommand({ ShardIterator: shard.iterator, Limit: 1000 }));
    } catch (error) {
      const name = error instanceof Error ? error.name : '';
      if (name === 'ExpiredIteratorException') {
        shard.iterator = undefined;
        return 0;
      }
      if (name === 'TrimmedDataAccessException') {
        shard.iterator = undefined;
        shard.lastReadSequence = undefined;
        return 0;
      }
      if (name === 'ResourceNotFoundException') {
        // The shard or stream is gone (table deleted): rediscover.
        shards.delete(shard.shardId);
        needDiscovery = true;
        streamArn = undefined;
        return 0;
      }
      throw error;
    }
    const records = result.Records ?? [];
    shard.buffer.push(...records);
    const last = records.at(-1)?.dynamodb?.SequenceNumber;
    if (last) shard.lastReadSequence = last;
    shard.iterator = result.NextShardIterator;
    if (!shard.iterator) {
      shard.readDone = true;
      needDiscovery = true; // look for the children of a closed shard
    }
    return records.length;
  }

  /**
   * Delivers the shard's buffer batch by batch. Stops early when a batch is waiting for its retry
   * time. Returns true if anything was delivered or given up.
   */
  async function deliver(shard: ShardState): Promise<boolean> {
    let progressed = false;
    while (shard.buffer.length > 0 && !stopped) {
      if (Date.now() < shard.retryAt) return progressed;
      const batch = shard.buffer.slice(0, batchSize);
      const arn = streamArn ?? '';
      const records = batch.map((record) => toLambdaRecord(record, arn, region));
      let failedFrom: number | undefined; // index in batch of the lowest failed record
      let reason = '';
      stats.invocations += 1;
      try {
        const response = await options.handler({ Records: records }, buildContext(functionName, { timeoutMs: 60_000, region }));
        const failures = (response as Partial<DynamoDBBatchResponse> | null | undefined)?.batchItemFailures;
        if (Array.isArray(failures) && failures.length > 0) {
          const positions = failures.map((failure) => {
            const id = failure?.itemIdentifier;
            return typeof id === 'string' && id ? batch.findIndex((record) => record.dynamodb?.SequenceNumber === id) : -1;
          });
          // Lambda treats an empty or unknown identifier as a failure of the whole batch.
          failedFrom = positions.some((position) => position < 0) ? 0 : Math.min(...positions);
          reason = `batchItemFailures (${failures.length} of ${batch.length} records)`;
        }
      } catch (error) {
        failedFrom = 0;
        reason = describeError(error);
      }

      if (failedFrom === undefined) {
        shard.buffer.splice(0, batch.length);
        stats.recordsDelivered += batch.length;
        shard.attempts = 0;
        progressed = true;
        continue;
      }

      // Checkpoint up to the lowest failed record and retry from there.
      if (failedFrom > 0) {
        shard.buffer.splice(0, failedFrom);
        stats.recordsDelivered += failedFrom;
        shard.attempts = 0;
        progressed = true;
      }
      shard.attempts += 1;
      shard.lastFailure = reason;
      if (shard.attempts > maxRetries) {
        const dropped = shard.buffer.splice(0, batch.length - failedFrom);
        stats.failedBatches += 1;
        onFailedBatch({
          shardId: shard.shardId,
          streamArn: arn,
          attempts: shard.attempts,
          reason,
          records: dropped.map((record) => toLambdaRecord(record, arn, region)),
        });
        shard.attempts = 0;
        shard.retryAt = 0;
        progressed = true;
        continue;
      }
      stats.retries += 1;
      shard.retryAt = Date.now() + retryDelayMs * 2 ** (shard.attempts - 1);
      return progressed;
    }
    return progressed;
  }

  function settleWaiters(quietRound: number): void {
    if (waiters.length === 0) return;
    const keep: FlushWaiter[] = [];
    for (const waiter of waiters) {
      if (waiter.round <= quietRound) waiter.resolve(true);
      else keep.push(waiter);
    }
    waiters = keep;
  }

  async function loop(): Promise<void> {
    while (!stopped) {
      round += 1;
      const thisRound = round;
      let quiet = true;
      let busy = false; // worth polling again at once
      let nextRetry = Infinity;
      try {
        if (!streamArn && !(await findStream())) {
          quiet = false;
          await pause(1000);
          continue;
        }
        if (needDiscovery) await discoverShards();
        for (const shard of [...shards.values()]) {
          if (stopped) break;
          if (shard.finished || !ready(shard)) continue;
          const count = await read(shard);
          if (count > 0) {
            quiet = false;
            busy = true;
          }
          if (await deliver(shard)) busy = true;
          if (shard.buffer.length > 0) {
            quiet = false;
            nextRetry = Math.min(nextRetry, shard.retryAt);
          }
          if (shard.readDone && shard.buffer.length === 0) {
            shard.finished = true;
            finishedShards.add(shard.shardId);
            shards.delete(shard.shardId);
            quiet = false;
            busy = true; // its children can be read now
          }
        }
        if (needDiscovery || !streamArn) quiet = false;
        lastErrorLogged = '';
      } catch (error) {
        if (stopped) break;
        logError('stream polling failed', error);
        quiet = false;
        await pause(1000);
        continue;
      }
      if (quiet) settleWaiters(thisRound);
      if (stopped) break;
      if (busy) continue;
      let wait = pollIntervalMs;
      if (Number.isFinite(nextRetry)) wait = Math.max(0, Math.min(pollIntervalMs, nextRetry - Date.now()));
      // A flush that arrived during this round does not sit out the idle interval.
      else if (waiters.length > 0) wait = 0;
      await pause(wait);
    }
  }

  const running = loop().catch((error) => logError('stream poller stopped', error));

  return {
    stats,
    get streamArn() {
      return streamArn;
    },
    flush(timeoutMs = 10_000): Promise<boolean> {
      if (stopped) return Promise.resolve(false);
      return new Promise<boolean>((resolve) => {
        let settled = false;
        const finish = (flushed: boolean) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          waiters = waiters.filter((waiter) => waiter !== entry);
          resolve(flushed);
        };
        const entry: FlushWaiter = { round: round + 1, resolve: finish };
        const timer = setTimeout(() => finish(false), timeoutMs);
        waiters.push(entry);
        wake?.();
      });
    },
    async stop(): Promise<void> {
      if (stopped) return running;
      stopped = true;
      wake?.();
      await running;
      for (const waiter of waiters) waiter.resolve(false);
      waiters = [];
      dynamo.destroy();
      streams.destroy();
    },
  };
}
