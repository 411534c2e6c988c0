/**
 * Transactions and their failure modes, in one place. A cancelled transaction means another writer
 * got there first (a condition failed, or DynamoDB saw a concurrent transaction on an item): callers
 * re-read and retry, or report a conflict; nothing was written.
 */
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { dynamo } from './client.js';

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** A write lost a race: its conditions no longer hold. Nothing was written. */
export class WriteConflictError extends Error {
  override name = 'WriteConflictError';
  constructor(
    message: string,
    /** Cancellation reason codes, one per transaction item ('None' where that item was fine). */
    readonly reasons: string[] = [],
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

const RETRYABLE_CANCELLATIONS = new Set(['ConditionalCheckFailed', 'TransactionConflict']);

export async function transact(items: TransactItem[]): Promise<void> {
  try {
    await dynamo().send(new TransactWriteCommand({ TransactItems: items }));
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'TransactionCanceledException') {
      const reasons = ((error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? []).map(
        (reason) => reason.Code ?? 'None',
      );
      if (reasons.length === 0 || reasons.some((code) => RETRYABLE_CANCELLATIONS.has(code))) {
        throw new WriteConflictError('transaction cancelled by a concurrent change', reasons, { cause: error });
      }
    }
    if (name === 'TransactionConflictException' || name === 'ConditionalCheckFailedException') {
      throw new WriteConflictError('concurrent change', [], { cause: error });
    }
    throw error;
  }
}

/**
 * Runs `attempt` until it stops losing races, with jittered backoff. Each attempt must re-read
 * what it depends on. Bounded: after `maxAttempts` the conflict is reported to the caller.
 */
export async function withConflictRetry<T>(attempt: (attemptNumber: number) => Promise<T>, maxAttempts = 30): Promise<T> {
  for (let attemptNumber = 1; ; attemptNumber++) {
    try {
      return await attempt(attemptNumber);
    } catch (error) {
      if (!(error instanceof WriteConflictError) || attemptNumber >= maxAttempts) throw error;
      const ceiling = Math.min(100, 5 * 2 ** Math.min(attemptNumber, 5));
      await new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
    }
  }
}
