// The benchmark's arithmetic (no timing anywhere): AWS prices applied to measured units, the
// merging of re-measured sections into an earlier results.json, and Link header parsing.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEPLOYED, PRICES, billedReadUnits, dynamoCost, lambdaInvocationCost } from '../../bench/lib/aws-prices.js';
import { nextLink } from '../../bench/lib/http-client.js';
import { mergeResults } from '../../bench/lib/merge.js';
import type { BenchResults } from '../../bench/lib/report.js';

describe('AWS cost model', () => {
  it('bills Lambda duration per started millisecond at the deployed memory, plus the request', () => {
    const perMs = (DEPLOYED.lambdaMemoryMb / 1024 / 1000) * PRICES.lambdaArmGbSecond;
    expect(lambdaInvocationCost(10)).toBeCloseTo(PRICES.lambdaRequest + 10 * perMs, 15);
    expect(lambdaInvocationCost(10.2)).toBeCloseTo(PRICES.lambdaRequest + 11 * perMs, 15);
    // A sub-millisecond handler is still billed one millisecond.
    expect(lambdaInvocationCost(0.3)).toBeCloseTo(PRICES.lambdaRequest + perMs, 15);
  });

  it('prices request units and floors reads at half a unit per read request', () => {
    expect(dynamoCost(4, 24)).toBeCloseTo(4 * PRICES.dynamoReadUnit + 24 * PRICES.dynamoWriteUnit, 15);
    expect(billedReadUnits(0, { QueryCommand: 8 })).toBe(4);
    expect(billedReadUnits(6, { GetItemCommand: 1, QueryCommand: 1 })).toBe(6);
    expect(billedReadUnits(0, { PutItemCommand: 1 })).toBe(0);
  });
});

describe('nextLink', () => {
  const response = (link?: string) => ({ status: 200, headers: (link ? { link } : {}) as Record<string, string>, body: Buffer.alloc(0), ms: 0 });

  it('reads the rel="next" target and nothing else', () => {
    expect(nextLink(response('</v2/a/b/tags/list?n=100&last=v1>; rel="next"'))).toBe('/v2/a/b/tags/list?n=100&last=v1');
    expect(nextLink(response('</x>; rel="prev"'))).toBeUndefined();
    expect(nextLink(response())).toBeUndefined();
  });
});

describe('mergeResults', () => {
  const meta = (date: string) => ({ date, mode: 'full', commit: 'abc', loadBefore: [0, 0, 0] }) as unknown as BenchResults['meta'];

  it('replaces only the re-measured sections and records when', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bench-merge-'));
    try {
      const previous = {
        meta: meta('2026-01-01'),
        config: { costRuns: 5, peer: { sizes: [1000] }, sweep: { live: 1 } },
        sections: ['cost', 'sweep', 'peer'],
        sweep: { kept: true },
        peer: { old: true },
        errors: { peer: 'failed before' },
      };
      const file = join(dir, 'results.json');
      await writeFile(file, JSON.stringify(previous));
      const fresh = {
        meta: meta('2026-02-02'),
        config: { costRuns: 3, peer: { sizes: [1000, 10_000] }, sweep: { live: 2 } },
        sections: ['peer', 'aws'],
        peer: { fresh: true },
        awsCost: { fresh: true },
      } as unknown as BenchResults;
      const merged = (await mergeResults(file, fresh)) as unknown as Record<string, any>;
      expect(merged.peer).toEqual({ fresh: true });
      expect(merged.awsCost).toEqual({ fresh: true });
      expect(merged.sweep).toEqual({ kept: true });
      expect(merged.config).toEqual({ costRuns: 5, peer: { sizes: [1000, 10_000] }, sweep: { live: 1 } });
      expect(merged.errors).toBeUndefined();
      expect(merged.sections).toEqual(['cost', 'sweep', 'peer', 'aws']);
      expect(merged.meta.date).toBe('2026-01-01');
      expect(merged.meta.updates).toEqual([{ date: '2026-02-02', mode: 'full', sections: ['peer', 'aws'], commit: 'abc' }]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
