/**
 * Transactions and their failure modes, in one place. A cancelled transaction means another writer
 * got there first (a condition failed, or DynamoDB saw a concurrent transaction on an item): callers
 * re-read and retry, or report a conflict; nothing was written.
 */
import type { StoreContext } from './context.js';
import { WriteConflictError } from './errors.js';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';

export { WriteConflictError, withConflictRetry } from './errors.js';

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

const RETRYABLE_CANCELLATIONS = new Set(['ConditionalCheckFailed', 'TransactionConflict']);

export async function transact(ctx: StoreContext, items: TransactItem[]): Promise<void> {
  try {
    await ctx.client.send(new TransactWriteCommand({ TransactItems: items }));
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
