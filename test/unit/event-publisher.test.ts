/**
 * The publisher's batching and partial-failure handling against a bus that refuses what it is told
 * to: at most 10 entries per call, refused entries retried alone, and the records whose entry never
 * went out reported as batch item failures.
 */
import { describe, expect, it } from 'vitest';
import { publishEntries, type PendingEntry } from '../../functions/event-publisher.js';
import type { BusEntry, EventBus } from '../../functions/lib/event-bus.js';

function pending(count: number): PendingEntry[] {
  return Array.from({ length: count }, (_, index) => ({
    itemIdentifier: `seq-${index}`,
    entry: { Source: 'tag-service', DetailType: 'Tag Change', Detail: JSON.stringify({ id: `c${index}` }), EventBusName: 'bus' },
  }));
}

/** A bus that refuses each entry `refusals(id)` times before accepting it; throws on the calls listed. */
function flakyBus(refusals: (id: string) => number, throwOnCalls: number[] = []) {
  const seen = new Map<string, number>();
  const calls: string[][] = [];
  const accepted: string[] = [];
  const bus: EventBus = {
    async putEvents(entries: BusEntry[]) {
      calls.push(entries.map((entry) => JSON.parse(entry.Detail).id));
      if (entries.length > 10) throw new Error('ValidationException: too many entries');
      if (throwOnCalls.includes(calls.length)) throw new Error('ThrottlingException');
      const failed: { index: number; code: string }[] = [];
      entries.forEach((entry, index) => {
        const id = JSON.parse(entry.Detail).id as string;
        const count = seen.get(id) ?? 0;
        seen.set(id, count + 1);
        if (count < refusals(id)) failed.push({ index, code: 'InternalFailure' });
        else accepted.push(id);
      });
      return { failed };
    },
  };
  return { bus, calls, accepted };
}

const noSleep = async () => {};

describe('publishEntries', () => {
  it('sends at most 10 entries per PutEvents call', async () => {
    const { bus, calls, accepted } = flakyBus(() => 0);
    expect(await publishEntries(bus, pending(25), { sleep: noSleep })).toEqual([]);
    expect(calls.map((call) => call.length)).toEqual([10, 10, 5]);
    expect(accepted).toHaveLength(25);
  });

  it('retries only the refused entries, and publishes each entry once', async () => {
    const { bus, calls, accepted } = flakyBus((id) => (id === 'c3' || id === 'c12' ? 2 : 0));
    expect(await publishEntries(bus, pending(15), { sleep: noSleep })).toEqual([]);
    expect(calls.slice(2)).toEqual([['c3', 'c12'], ['c3', 'c12']]);
    expect([...accepted].sort()).toEqual(pending(15).map((item) => JSON.parse(item.entry.Detail).id).sort());
  });

  it('retries a whole call that failed (throttling)', async () => {
    const { bus, accepted } = flakyBus(() => 0, [1]);
    expect(await publishEntries(bus, pending(12), { sleep: noSleep })).toEqual([]);
    expect(accepted).toHaveLength(12);
  });

  it('returns the entries still refused after the retries, with their records', async () => {
    const { bus, calls } = flakyBus((id) => (id === 'c4' ? Infinity : 0));
    const left = await publishEntries(bus, pending(6), { sleep: noSleep, retries: 3 });
    expect(left.map((item) => item.itemIdentifier)).toEqual(['seq-4']);
    expect(calls).toHaveLength(4);
  });
});
