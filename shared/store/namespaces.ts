/** Namespaces (users and organizations) and their settings. */
import type { StoreContext } from './context.js';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { putChange } from './changes.js';
import { policiesField } from './immutability-policies.js';
import { SK, namespacePK } from './keys.js';
import { DEFAULT_TAG_EXPIRATION_S } from './records.js';
import type { ChangeRecord, NamespaceRecord } from './records.js';
import { transact } from './transactions.js';
import type { TransactItem } from './transactions.js';

export function toNamespace(item: Record<string, unknown>): NamespaceRecord {
  return {
    name: item.name as string,
    kind: item.kind as NamespaceRecord['kind'],
    admins: [...((item.admins as Set<string> | string[] | undefined) ?? [])],
    email: item.email as string | undefined,
    tagExpirationS: (item.tagExpirationS as number | undefined) ?? DEFAULT_TAG_EXPIRATION_S,
    createdAt: item.createdAt as number,
    ...policiesField(item, 'namespace'),
  };
}

export const namespaceKey = (name: string) => ({ PK: namespacePK(name), SK: SK.namespace });

export async function getNamespace(ctx: StoreContext, name: string): Promise<NamespaceRecord | null> {
  const { Item } = await ctx.client.send(new GetCommand({ TableName: ctx.tables.registry, Key: namespaceKey(name), ConsistentRead: true }));
  return Item ? toNamespace(Item) : null;
}

/** Creates an organization; fails (WriteConflictError) when any namespace of that name exists. */
export async function createOrganization(ctx: StoreContext, org: NamespaceRecord, change: ChangeRecord): Promise<void> {
  await transact(ctx, [
    {
      Put: {
        TableName: ctx.tables.registry,
        Item: { ...namespaceKey(org.name), type: 'namespace', ...org, admins: new Set(org.admins) },
        ConditionExpression: 'attribute_not_exists(PK)',
      },
    },
    putChange(ctx, change),
  ]);
}

/**
 * The write that makes sure a user's own namespace has its item (created lazily on first use, since
 * users come from the identity provider). Fails if an organization took the name.
 */
export function ensureUserNamespace(ctx: StoreContext, username: string, nowMs: number): TransactItem {
  return {
    Update: {
      TableName: ctx.tables.registry,
      Key: namespaceKey(username),
      UpdateExpression: 'SET #kind = :user, #name = :name, createdAt = if_not_exists(createdAt, :now), #type = :type',
      ConditionExpression: 'attribute_not_exists(PK) OR #kind = :user',
      ExpressionAttributeNames: { '#kind': 'kind', '#name': 'name', '#type': 'type' },
      ExpressionAttributeValues: { ':user': 'user', ':name': username, ':now': nowMs, ':type': 'namespace' },
    },
  };
}

/** Sets the time-machine window of an organization (kind 'organization') or a user's namespace. */
export async function setTagExpiration(ctx: StoreContext, 
  name: string,
  kind: NamespaceRecord['kind'],
  seconds: number,
  nowMs: number,
  change: ChangeRecord,
): Promise<void> {
  const write: TransactItem =
    kind === 'user'
      ? ensureUserNamespace(ctx, name, nowMs)
      : {
          Update: {
            TableName: ctx.tables.registry,
            Key: namespaceKey(name),
            UpdateExpression: 'SET #kind = :kind',
            ConditionExpression: 'attribute_exists(PK) AND #kind = :kind',
            ExpressionAttributeNames: { '#kind': 'kind' },
            ExpressionAttributeValues: { ':kind': kind },
          },
        };
  const update = write.Update!;
  update.UpdateExpression += ', tagExpirationS = :seconds';
  update.ExpressionAttributeValues = { ...update.ExpressionAttributeValues, ':seconds': seconds };
  await transact(ctx, [write, putChange(ctx, change)]);
}
