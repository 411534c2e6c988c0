/** Outbox change items: the audit record of a mutation, written inside the mutation's transaction. */
import type { StoreContext } from './context.js';
import { randomUUID } from 'node:crypto';
import { TTL_ATTRIBUTE } from './schema.js';
import { SK, namespacePK, repoPK } from './keys.js';
import type { ChangeRecord } from './records.js';
import type { TransactItem } from './transactions.js';

/** Change items only need to live until the stream consumer has read them (stream retention: 24 h). */
const CHANGE_TTL_S = 2 * 24 * 3600;

export function changePK(change: Pick<ChangeRecord, 'namespace' | 'repository'>): string {
  return change.repository === null ? namespacePK(change.namespace) : repoPK(change.namespace, change.repository);
}

export function putChange(ctx: StoreContext, change: ChangeRecord): TransactItem {
  return {
    Put: {
      TableName: ctx.tables.registry,
      Item: {
        PK: changePK(change),
        SK: SK.change(change.at, randomUUID()),
        type: 'change',
        ...change,
        [TTL_ATTRIBUTE]: Math.floor(change.at / 1000) + CHANGE_TTL_S,
      },
      ConditionExpression: 'attribute_not_exists(PK)',
    },
  };
}
