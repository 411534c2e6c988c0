/**
 * Reading a table's stream as the event source mapping does: find the table's latest stream, list
 * its shards, read each from TRIM_HORIZON into a buffer, parent before child, re-opening expired
 * iterators and starting over on a new stream when the table was recreated.
 */
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamSdkRecord,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';

export interface ShardState {
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
  retryAt: number;
}

export class ShardReader {
  private readonly dynamo: DynamoDBClient;
  private readonly streams: DynamoDBStreamsClient;
  private readonly shards = new Map<string, ShardState>();
  private readonly finished = new Set<string>();
  private arn: string | undefined;
  private needDiscovery = true;

  constructor(
    private readonly tableName: string,
    connection: { endpoint: string; region: string },
  ) {
    const credentials = {
      accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? 'local',
      secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? 'local',
    };
    this.dynamo = new DynamoDBClient({ ...connection, credentials });
    this.streams = new DynamoDBStreamsClient({ ...connection, credentials });
  }

  get streamArn(): string | undefined {
    return this.arn;
  }

  /** Whether the stream is known and its shard list current. */
  get settled(): boolean {
    return this.arn !== undefined && !this.needDiscovery;
  }

  /** Finds the stream and lists new shards; false while the table has no stream. */
  async refresh(): Promise<boolean> {
    if (!this.arn) {
      const table = await this.dynamo.send(new DescribeTableCommand({ TableName: this.tableName }));
      const arn = table.Table?.LatestStreamArn;
      if (!arn) return false;
      if (arn !== this.arn) {
        // A new stream (table recreated): start over on it.
        this.arn = arn;
        this.shards.clear();
        this.finished.clear();
        this.needDiscovery = true;
      }
    }
    if (this.needDiscovery) await this.discover();
    return true;
  }

  private async discover(): Promise<void> {
    const found: Shard[] = [];
    let exclusiveStartShardId: string | undefined;
    do {
      const page = await this.streams.send(new DescribeStreamCommand({ StreamArn: this.arn, ExclusiveStartShardId: exclusiveStartShardId }));
      found.push(...(page.StreamDescription?.Shards ?? []));
      exclusiveStartShardId = page.StreamDescription?.LastEvaluatedShardId;
    } while (exclusiveStartShardId);
    for (const shard of found) {
      if (!shard.ShardId || this.shards.has(shard.ShardId) || this.finished.has(shard.ShardId)) continue;
      this.shards.set(shard.ShardId, {
        shardId: shard.ShardId,
        parentShardId: shard.ParentShardId,
        iterator: undefined,
        lastReadSequence: undefined,
        readDone: false,
        buffer: [],
        attempts: 0,
        retryAt: 0,
      });
    }
    this.needDiscovery = false;
  }

  /** Shards that may be read now: their parent is fully processed (or no longer listed). */
  readyShards(): ShardState[] {
    return [...this.shards.values()].filter(
      (shard) => !shard.parentShardId || this.finished.has(shard.parentShardId) || !this.shards.has(shard.parentShardId),
    );
  }

  /** Marks a shard done when it is closed, fully read and fully delivered; true if it was. */
  retireIfDone(shard: ShardState): boolean {
    if (!shard.readDone || shard.buffer.length > 0) return false;
    this.finished.add(shard.shardId);
    this.shards.delete(shard.shardId);
    return true;
  }

  private async openIterator(shard: ShardState): Promise<void> {
    const input = shard.lastReadSequence
      ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER' as const, SequenceNumber: shard.lastReadSequence }
      : { ShardIteratorType: 'TRIM_HORIZON' as const };
    const result = await this.streams.send(new GetShardIteratorCommand({ StreamArn: this.arn, ShardId: shard.shardId, ...input }));
    shard.iterator = result.ShardIterator;
    if (!shard.iterator) shard.readDone = true;
  }

  /** Reads what is available on one shard into its buffer; returns the number of records read. */
  async read(shard: ShardState): Promise<number> {
    if (shard.readDone) return 0;
    if (!shard.iterator) await this.openIterator(shard);
    if (!shard.iterator) return 0;
    let result;
    try {
      result = await this.streams.send(new GetRecordsCommand({ ShardIterator: shard.iterator, Limit: 1000 }));
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
        this.shards.delete(shard.shardId);
        this.needDiscovery = true;
        this.arn = undefined;
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
      this.needDiscovery = true; // look for the children of a closed shard
    }
    return records.length;
  }

  destroy(): void {
    this.dynamo.destroy();
    this.streams.destroy();
  }
}
