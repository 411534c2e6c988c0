/**
 * What a DynamoDB Streams event source mapping does after one invocation, as a pure function:
 * with `ReportBatchItemFailures`, the records before the lowest failed sequence number are
 * checkpointed and the batch is retried from there; a thrown error, or an empty or unknown
 * identifier, fails the whole batch; after `maxRetries` retries the failed part goes to the
 * on-failure destination. Retries back off exponentially.
 */

export type InvocationOutcome = { kind: 'returned'; response: unknown } | { kind: 'threw'; error: unknown };

export interface SettlementInput {
  /** Sequence numbers of the batch's records, in order. */
  sequenceNumbers: readonly string[];
  outcome: InvocationOutcome;
  /** Failed attempts so far of the batch's first record. */
  attempts: number;
  maxRetries: number;
  retryDelayMs: number;
  /** Epoch ms of the settlement (the back-off starts from it). */
  now: number;
}

export interface Settlement {
  /** Records from the start of the batch that are checkpointed as delivered. */
  delivered: number;
  /** Records after those that were given up on (sent to the on-failure destination). */
  dropped: number;
  /** Failed attempts of the record now first in line. */
  attempts: number;
  /** When to invoke again (epoch ms); undefined when nothing waits for a retry. */
  retryAt: number | undefined;
  /** Why the batch failed; empty when it did not. */
  reason: string;
}

/** An error as one line for logs and failure reasons. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/** Index of the lowest failed record, or undefined when the invocation succeeded for all. */
export function firstFailure(sequenceNumbers: readonly string[], outcome: InvocationOutcome): { index: number; reason: string } | undefined {
  if (outcome.kind === 'threw') return { index: 0, reason: describeError(outcome.error) };
  const failures = (outcome.response as { batchItemFailures?: unknown } | null | undefined)?.batchItemFailures;
  if (!Array.isArray(failures) || failures.length === 0) return undefined;
  const positions = failures.map((failure: { itemIdentifier?: unknown } | null | undefined) => {
    const id = failure?.itemIdentifier;
    return typeof id === 'string' && id ? sequenceNumbers.indexOf(id) : -1;
  });
  const reason = `batchItemFailures (${failures.length} of ${sequenceNumbers.length} records)`;
  // Lambda treats an empty or unknown identifier as a failure of the whole batch.
  return { index: positions.some((position) => position < 0) ? 0 : Math.min(...positions), reason };
}

export function settleBatch(input: SettlementInput): Settlement {
  const size = input.sequenceNumbers.length;
  const failure = firstFailure(input.sequenceNumbers, input.outcome);
  if (!failure) return { delivered: size, dropped: 0, attempts: 0, retryAt: undefined, reason: '' };
  // A checkpoint moves the retry count to the new first record.
  const attempts = (failure.index > 0 ? 0 : input.attempts) + 1;
  if (attempts > input.maxRetries) {
    return { delivered: failure.index, dropped: size - failure.index, attempts: 0, retryAt: undefined, reason: failure.reason };
  }
  const retryAt = input.now + input.retryDelayMs * 2 ** (attempts - 1);
  return { delivered: failure.index, dropped: 0, attempts, retryAt, reason: failure.reason };
}
