/** The event source mapping's settlement of one stream batch (infra/local/batch-settlement.ts). */
import { describe, expect, it } from 'vitest';
import { firstFailure, settleBatch, type InvocationOutcome } from '../../infra/local/batch-settlement.js';

const sequenceNumbers = ['100', '200', '300', '400'];
const returned = (response: unknown): InvocationOutcome => ({ kind: 'returned', response });
const failing = (...ids: unknown[]) => returned({ batchItemFailures: ids.map((itemIdentifier) => ({ itemIdentifier })) });
const base = { sequenceNumbers, attempts: 0, maxRetries: 3, retryDelayMs: 100, now: 1_000 };

describe('batch settlement', () => {
  it('checkpoints the whole batch when nothing failed', () => {
    for (const response of [undefined, null, {}, { batchItemFailures: [] }, 'ok']) {
      expect(settleBatch({ ...base, outcome: returned(response) })).toEqual({ delivered: 4, dropped: 0, attempts: 0, retryAt: undefined, reason: '' });
    }
  });

  it('checkpoints up to the lowest failed record and retries from there with a fresh count', () => {
    const settled = settleBatch({ ...base, attempts: 2, outcome: failing('400', '200') });
    expect(settled).toMatchObject({ delivered: 1, dropped: 0, attempts: 1, retryAt: 1_100 });
    expect(settled.reason).toBe('batchItemFailures (2 of 4 records)');
  });

  it('fails the whole batch on a thrown error or an empty or unknown identifier', () => {
    expect(settleBatch({ ...base, outcome: { kind: 'threw', error: new TypeError('boom') } })).toMatchObject({
      delivered: 0,
      attempts: 1,
      reason: 'TypeError: boom',
    });
    for (const id of ['', '999', 7, undefined]) {
      expect(firstFailure(sequenceNumbers, failing('300', id))?.index, String(id)).toBe(0);
    }
  });

  it('backs off exponentially between retries', () => {
    const retryAt = [0, 1, 2].map((attempts) => settleBatch({ ...base, attempts, outcome: failing('100') }).retryAt);
    expect(retryAt).toEqual([1_100, 1_200, 1_400]);
  });

  it('gives the failed part up after maxRetries retries and resets the count', () => {
    expect(settleBatch({ ...base, attempts: 3, outcome: failing('100') })).toMatchObject({ delivered: 0, dropped: 4, attempts: 0, retryAt: undefined });
    // a checkpoint in the same invocation restarts the count for the new first record
    expect(settleBatch({ ...base, attempts: 3, outcome: failing('300') })).toMatchObject({ delivered: 2, dropped: 0, attempts: 1 });
    expect(settleBatch({ ...base, attempts: 0, maxRetries: 0, outcome: failing('300') })).toMatchObject({ delivered: 2, dropped: 2 });
  });
});
