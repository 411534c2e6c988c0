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
import type { _Record as StreamSdkRecord } from '@aws-sdk/client-dynamodb-streams';
import { describeError, settleBatch } from './batch-settlement.js';
import { buildContext } from './lambda-context.js';
import { ShardReader, type ShardState } from './shard-reader.js';
import { toLambdaRecord } from './stream-records.js';

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

interface FlushWaiter {
  round: number;
  resolve(flushed: boolean): void;
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

/** An interruptible sleep: `wake()` ends the current pause early. */
function pauses() {
  let wake: (() => void) | undefined;
  return {
    pause: (ms: number) =>
      new Promise<void>((done) => {
        const timer = setTimeout(finish, ms);
        function finish() {
          clearTimeout(timer);
          wake = undefined;
          done();
        }
        wake = finish;
      }),
    wake: () => wake?.(),
  };
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
  const reader = new ShardReader(options.tableName, { endpoint: options.endpoint, region });
  const stats: StreamPollerStats = { invocations: 0, recordsDelivered: 0, retries: 0, failedBatches: 0 };
  const sleep = pauses();
  const state = { stopped: false, round: 0, waiters: [] as FlushWaiter[], lastErrorLogged: '' };

  const logError = (message: string, error: unknown) => {
    const text = `${message}: ${describeError(error)}`;
    if (text === state.lastErrorLogged) return;
    state.lastErrorLogged = text;
    process.stderr.write(`${JSON.stringify({ level: 'warn', msg: text, source: 'local-stream-poller' })}\n`);
  };

  const toRecords = (records: StreamSdkRecord[]) => records.map((record) => toLambdaRecord(record, reader.streamArn ?? '', region));

  /** Invokes the handler with one batch from the head of the buffer and applies the settlement. */
  async function invokeOnce(shard: ShardState): Promise<void> {
    const batch = shard.buffer.slice(0, batchSize);
    stats.invocations += 1;
    let outcome: Parameters<typeof settleBatch>[0]['outcome'];
    try {
      const context = buildContext(functionName, { timeoutMs: 60_000, region });
      outcome = { kind: 'returned', response: await options.handler({ Records: toRecords(batch) }, context) };
    } catch (error) {
      outcome = { kind: 'threw', error };
    }
    const sequenceNumbers = batch.map((record) => record.dynamodb?.SequenceNumber ?? '');
    const settled = settleBatch({ sequenceNumbers, outcome, attempts: shard.attempts, maxRetries, retryDelayMs, now: Date.now() });
    shard.buffer.splice(0, settled.delivered);
    stats.recordsDelivered += settled.delivered;
    if (settled.dropped > 0) {
      const dropped = shard.buffer.splice(0, settled.dropped);
      stats.failedBatches += 1;
      const attempts = maxRetries + 1;
      onFailedBatch({ shardId: shard.shardId, streamArn: reader.streamArn ?? '', attempts, reason: settled.reason, records: toRecords(dropped) });
    }
    if (settled.retryAt !== undefined) stats.retries += 1;
    shard.attempts = settled.attempts;
    shard.retryAt = settled.retryAt ?? 0;
  }

  /** Delivers the shard's buffer batch by batch until it is empty or a batch waits for its retry. */
  async function deliver(shard: ShardState): Promise<boolean> {
    let progressed = false;
    while (shard.buffer.length > 0 && !state.stopped && Date.now() >= shard.retryAt) {
      const before = shard.buffer.length;
      await invokeOnce(shard);
      if (shard.buffer.length < before) progressed = true;
    }
    return progressed;
  }

  function settleWaiters(quietRound: number): void {
    for (const waiter of state.waiters.filter((entry) => entry.round <= quietRound)) waiter.resolve(true);
    state.waiters = state.waiters.filter((entry) => entry.round > quietRound);
  }

  /** One pass over the ready shards; `quiet` when nothing was read, buffered or pending. */
  async function pollRound(): Promise<{ quiet: boolean; busy: boolean; nextRetry: number }> {
    const round = { quiet: true, busy: false, nextRetry: Infinity };
    if (!(await reader.refresh())) {
      await sleep.pause(1000);
      return { ...round, quiet: false };
    }
    for (const shard of reader.readyShards()) {
      if (state.stopped) break;
      if ((await reader.read(shard)) > 0) Object.assign(round, { quiet: false, busy: true });
      if (await deliver(shard)) round.busy = true;
      if (shard.buffer.length > 0) Object.assign(round, { quiet: false, nextRetry: Math.min(round.nextRetry, shard.retryAt) });
      // A retired shard lets its children be read: poll again at once.
      if (reader.retireIfDone(shard)) Object.assign(round, { quiet: false, busy: true });
    }
    if (!reader.settled) round.quiet = false;
    return round;
  }

  async function loop(): Promise<void> {
    while (!state.stopped) {
      state.round += 1;
      const thisRound = state.round;
      let round;
      try {
        round = await pollRound();
        state.lastErrorLogged = '';
      } catch (error) {
        if (state.stopped) break;
        logError('stream polling failed', error);
        await sleep.pause(1000);
        continue;
      }
      if (round.quiet) settleWaiters(thisRound);
      if (state.stopped) break;
      if (round.busy) continue;
      let wait = pollIntervalMs;
      if (Number.isFinite(round.nextRetry)) wait = Math.max(0, Math.min(pollIntervalMs, round.nextRetry - Date.now()));
      // A flush that arrived during this round does not sit out the idle interval.
      else if (state.waiters.length > 0) wait = 0;
      await sleep.pause(wait);
    }
  }

  const running = loop().catch((error) => logError('stream poller stopped', error));

  return {
    stats,
    get streamArn() {
      return reader.streamArn;
    },
    flush(timeoutMs = 10_000): Promise<boolean> {
      if (state.stopped) return Promise.resolve(false);
      return new Promise<boolean>((resolve) => {
        let settled = false;
        const finish = (flushed: boolean) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          state.waiters = state.waiters.filter((waiter) => waiter !== entry);
          resolve(flushed);
        };
        const entry: FlushWaiter = { round: state.round + 1, resolve: finish };
        const timer = setTimeout(() => finish(false), timeoutMs);
        state.waiters.push(entry);
        sleep.wake();
      });
    },
    async stop(): Promise<void> {
      if (state.stopped) return running;
      state.stopped = true;
      sleep.wake();
      await running;
      for (const waiter of state.waiters) waiter.resolve(false);
      state.waiters = [];
      reader.destroy();
    },
  };
}
