/**
 * The sweep's work queue (the sparse, sharded sweepDue index). Its instants (2001) lie far before
 * every other test's (2023), because the due index spans the table.
 */
import { describe, expect, it } from 'vitest';
import { runSweep } from '../../shared/domain/sweep.js';
import { changeExpiration, deleteTag } from '../../shared/domain/tag-operations.js';
import { resetUsage, usage } from '../../shared/store/client.js';
import { WriteConflictError } from '../../shared/store/index.js';
import { allSweepShards } from '../../shared/store/keys.js';
import type { DueItem } from '../../shared/store/sweep.js';
import { HOUR, commands, storeSuite } from '../support/store-suite.js';

const { store, clock, deps, newActor, push, move, history } = storeSuite('sweepq');

describe('the sweep queue (sweepDue index)', () => {
  // 2001: before every other test's instants, so the table-wide due index holds only this test's work.
  const S = 1_000_000_000_000;

  async function dueAt(now: number): Promise<DueItem[]> {
    resetUsage();
    const items: DueItem[] = [];
    for (const shard of allSweepShards()) {
      let from: Record<string, unknown> | undefined;
      do {
        const page = await store.sweep.queryDue(shard, now, 100, from);
        items.push(...page.items);
        from = page.next;
      } while (from);
    }
    expect(Object.keys(commands())).toEqual(['QueryCommand']);
    return items;
  }

  it('holds expiries due at or before now and ranges past their purge time, nothing else', async () => {
    const actor = newActor('due');
    await store.namespaces.createOrganization(
      { name: 'storetest', kind: 'organization', admins: ['tester'], tagExpirationS: 3600, createdAt: S },
      { kind: 'org_create', namespace: 'storetest', repository: null, performer: null, ip: null, at: S, metadata: {} },
    ).catch((error) => {
      if (!(error instanceof WriteConflictError)) throw error;
    });
    clock.set(S);
    const names = Array.from({ length: 50 }, (_, i) => `t${String(i).padStart(2, '0')}`);
    const shared = await push(actor, names[0]);
    for (const name of names.slice(1)) await move(actor, name, shared.digest);
    // Five expire at S+2h, three at S+10h.
    for (const name of names.slice(0, 5)) await changeExpiration(deps, actor, name, Math.floor(S / 1000) + 7200);
    for (const name of names.slice(10, 13)) await changeExpiration(deps, actor, name, Math.floor(S / 1000) + 36_000);
    // At S+1h: one delete and one move, each closing a range whose purge is due at S+2h (window 1h).
    clock.set(S + HOUR);
    await deleteTag(deps, actor, 't20');
    await move(actor, 't21', (await push(actor, null)).digest);
    // An untagged manifest pushed at S+3h is collectable at S+4h.
    clock.set(S + 3 * HOUR);
    const late = await push(actor, null);

    // Nothing is due before S+2h: not the 45 tags without an expiration, not the future ones.
    expect(await dueAt(S + 2 * HOUR - 1)).toEqual([]);

    const now = S + 2 * HOUR + 30 * 60_000;
    const due = await dueAt(now);
    const described = due.map((item) => `${item.kind}:${item.dueAt - S}`).sort();
    expect(described).toEqual([
      ...Array.from({ length: 5 }, () => `expire:${2 * HOUR}`),
      `purge:${2 * HOUR}`,
      `purge:${2 * HOUR}`,
    ]);
    expect(due.every((item) => item.pk === actor.pk)).toBe(true);
    const expiring = await Promise.all(due.filter((item) => item.kind === 'expire').map((item) => store.tags.getRange(item.pk, item.sk)));
    expect(expiring.map((range) => range!.name).sort()).toEqual(names.slice(0, 5));
    const purging = await Promise.all(due.filter((item) => item.kind === 'purge').map((item) => store.tags.getRange(item.pk, item.sk)));
    expect(purging.map((range) => `${range!.name}:${range!.endedBy}`).sort()).toEqual(['t20:deleted', 't21:moved']);
    // Exactly at the due instant counts as due.
    expect(await dueAt(S + 2 * HOUR)).toHaveLength(7);

    // The gc of the late manifest shows up at S+4h, with the three S+10h expiries still absent.
    const at4h = await dueAt(S + 4 * HOUR);
    expect(at4h.filter((item) => item.kind === 'gc').map((item) => item.sk)).toEqual([`MREF#${late.digest}`]);
    expect(at4h).toHaveLength(5 + 2 + 1);

    // The sweep finalizes the 5 expiries (each one transaction) and purges the 2 ranges.
    clock.set(now);
    resetUsage();
    const report = await runSweep({ store, clock }, { budgetMs: 60_000, batchSize: 25 });
    expect(report).toMatchObject({ expired: 5, purged_ranges: 2, skipped: 0, more: false });
    expect(Object.keys(usage.byCommand).filter((command) => /Scan/i.test(command))).toEqual([]);
    // Afterwards nothing is due: the finalized expiries are queued for purge at S+3h.
    expect(await dueAt(now)).toEqual([]);
    expect((await dueAt(S + 3 * HOUR)).map((item) => item.kind)).toEqual(Array.from({ length: 5 }, () => 'purge'));
    const active = await history(actor, { kind: 'active', nowMs: now });
    expect(active).toHaveLength(50 - 5 - 1);
    // A finalized expiry leaves the pointer as a tombstone of the closed range (never alive again).
    expect(await store.tags.getLiveTag(actor.pk, 't00')).toMatchObject({ endedBy: 'expired', end: S + 2 * HOUR, start: S });
    // The purged, deleted t20 range took its tombstone with it; t21's open range is untouched.
    expect(await store.tags.getLiveTag(actor.pk, 't20')).toBeNull();
    expect(await store.tags.getLiveTag(actor.pk, 't21')).toMatchObject({ start: S + HOUR, endedBy: undefined });

    // An hour later the five expired ranges are purged, with their tombstones.
    clock.set(S + 3 * HOUR);
    const second = await runSweep({ store, clock }, { budgetMs: 60_000, batchSize: 25 });
    expect(second).toMatchObject({ expired: 0, purged_ranges: 5, skipped: 0, more: false });
    for (const name of names.slice(0, 5)) expect(await store.tags.getLiveTag(actor.pk, name)).toBeNull();
    expect(await dueAt(S + 3 * HOUR)).toEqual([]);
    // The shared manifest lost exactly the 7 purged ranges' references.
    expect((await store.manifests.getManifestRefs(actor.pk, shared.digest))!.refs).toBe(50 - 7);
  });
});
