/**
 * The store's failure outcomes, in domain terms. Kept free of SDK imports so the HTTP pipeline can
 * recognise them without pulling the AWS SDK into functions that never touch DynamoDB.
 */
import { countMetric } from '../metrics.js';

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

/** A resume position (from a client's cursor) that is not a position of the query it was given to. */
export class InvalidPositionError extends Error {
  override name = 'InvalidPositionError';
  constructor() {
    super('not a position of this listing');
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
      countMetric('WriteRetries');
      const ceiling = Math.min(100, 5 * 2 ** Math.min(attemptNumber, 5));
      await new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
    }
  }
}
