/**
 * Writes of a tag's immutable flag through the API (the policy's bulk marking is in
 * immutability-policies.ts): range and pointer together, conditioned on the pointer's version.
 */
import type { StoreContext } from './context.js';
import { aboutTag, putChange } from './changes.js';
import { SK, endSK } from './keys.js';
import type { ChangeRecord, LiveTag } from './records.js';
import { transact } from './transactions.js';
import type { TransactItem } from './transactions.js';

/** What a change of immutability writes (see setTagImmutability). */
export interface ImmutabilityMark {
  immutable: boolean;
  /** The policy that makes it immutable (absent: the API). */
  policy?: string;
  /** Clear a pending expiration on the way (policies do; the API refuses instead). */
  clearExpiration?: boolean;
}

/**
 * Sets or unsets the immutable flag of an alive tag (range and pointer), if the pointer is still at
 * its version. Making a tag immutable also requires it to carry no expiration, unless the mark
 * clears it in the same write.
 */
export async function setTagImmutability(ctx: StoreContext, pk: string, current: LiveTag, mark: ImmutabilityMark, change: ChangeRecord | null) {
  const clear = mark.immutable && mark.clearExpiration === true && current.end !== undefined;
  const set = `SET immutable = :true${mark.policy ? ', immutablePolicy = :policy' : ''}`;
  const removes = [...(mark.immutable && mark.policy ? [] : ['immutablePolicy']), ...(clear ? ['#end'] : [])];
  const values = { ':true': true, ...(mark.policy && mark.immutable ? { ':policy': mark.policy } : {}) };
  const rangeUpdate: TransactItem = {
    Update: {
      TableName: ctx.tables.registry,
      Key: { PK: pk, SK: current.rangeSK },
      UpdateExpression: mark.immutable
        ? `${set}${clear ? ', endSK = :endSK' : ''} REMOVE ${[...removes, ...(clear ? ['dueShard', 'dueAt', 'dueKind'] : [])].join(', ')}`
        : 'REMOVE immutable, immutablePolicy',
      ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(endedBy)',
      ...(clear ? { ExpressionAttributeNames: { '#end': 'end' } } : {}),
      ...(mark.immutable ? { ExpressionAttributeValues: { ...values, ...(clear ? { ':endSK': endSK(undefined, current.name, current.start) } : {}) } } : {}),
    },
  };
  const pointerUpdate: TransactItem = {
    Update: {
      TableName: ctx.tables.registry,
      Key: { PK: pk, SK: SK.tag(current.name) },
      UpdateExpression: mark.immutable
        ? `${set}, version = :next${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`
        : 'SET version = :next REMOVE immutable, immutablePolicy',
      // A tag with an expiration is made immutable only by a write that clears it.
      ConditionExpression: mark.immutable && !clear ? 'version = :version AND attribute_not_exists(#end)' : 'version = :version',
      ...(clear || (mark.immutable && !clear) ? { ExpressionAttributeNames: { '#end': 'end' } } : {}),
      ExpressionAttributeValues: { ':version': current.version, ':next': current.version + 1, ...(mark.immutable ? values : {}) },
    },
  };
  await transact(ctx, [rangeUpdate, pointerUpdate, ...(change ? [putChange(ctx, aboutTag(change, current))] : [])]);
}
