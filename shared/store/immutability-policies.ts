/**
 * Immutability policies, kept on the item of what they govern: a repository's on its `#REPO` item,
 * a namespace's on its `#NS` item, one attribute `immPolicy_<uuid>` each. The authorization read of
 * every repository request (access.ts) already loads both items, so a tag create or move knows the
 * policies in force without any extra round trip. Also: marking many tags immutable at once.
 */
import type { StoreContext } from './context.js';
import { putChange } from './changes.js';
import { SK, endSK, namespacePK, repoPK, sweepShard } from './keys.js';
import type { Item } from './reads.js';
import type { ChangeRecord, ImmutabilityPolicy, LiveTag } from './records.js';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { queryPages } from './reads.js';
import { transact } from './transactions.js';
import type { TransactItem } from './transactions.js';

const ATTRIBUTE_PREFIX = 'immPolicy_';

/** Whose policies: a namespace, or one repository of it. */
export interface PolicyOwner {
  namespace: string;
  repository?: string;
}

/** The policies stored on an item, oldest first. */
export function policiesOfItem(item: Item, scope: ImmutabilityPolicy['scope']): ImmutabilityPolicy[] {
  const policies: (ImmutabilityPolicy & { createdAt: number })[] = [];
  for (const [name, value] of Object.entries(item)) {
    if (!name.startsWith(ATTRIBUTE_PREFIX) || !value || typeof value !== 'object') continue;
    const stored = value as { tagPattern?: unknown; tagPatternMatches?: unknown; createdAt?: unknown };
    if (typeof stored.tagPattern !== 'string') continue;
    policies.push({
      uuid: name.slice(ATTRIBUTE_PREFIX.length),
      scope,
      tagPattern: stored.tagPattern,
      tagPatternMatches: stored.tagPatternMatches !== false,
      createdAt: typeof stored.createdAt === 'number' ? stored.createdAt : 0,
    });
  }
  return policies.sort((a, b) => a.createdAt - b.createdAt || a.uuid.localeCompare(b.uuid)).map(({ createdAt: _, ...policy }) => policy);
}

/** The `immutabilityPolicies` field of a record read from `item` (absent when there are none). */
export function policiesField(item: Item, scope: ImmutabilityPolicy['scope']) {
  const policies = policiesOfItem(item, scope);
  return policies.length ? { immutabilityPolicies: policies } : {};
}

const ownerKey = (owner: PolicyOwner) =>
  owner.repository ? { PK: repoPK(owner.namespace, owner.repository), SK: SK.repository } : { PK: namespacePK(owner.namespace), SK: SK.namespace };

/**
 * Creates (`create`: the uuid is new) or replaces (`update`: it exists) a policy. A user's own
 * namespace gets its item on the way (users come from the identity provider).
 */
export async function putImmutabilityPolicy(
  ctx: StoreContext,
  owner: PolicyOwner & { userNamespace?: boolean },
  policy: ImmutabilityPolicy,
  mode: 'create' | 'update',
  nowMs: number,
  change: ChangeRecord,
) {
  const userUpsert = !owner.repository && owner.userNamespace === true && mode === 'create';
  const exists = mode === 'create' ? 'attribute_not_exists(#policy)' : 'attribute_exists(#policy)';
  const write: TransactItem = {
    Update: {
      TableName: ctx.tables.registry,
      Key: ownerKey(owner),
      UpdateExpression: userUpsert
        ? 'SET #policy = :policy, #kind = :user, #name = :name, createdAt = if_not_exists(createdAt, :now), #type = :type'
        : 'SET #policy = :policy',
      ConditionExpression: userUpsert ? `(attribute_not_exists(PK) OR #kind = :user) AND ${exists}` : `attribute_exists(PK) AND ${exists}`,
      ExpressionAttributeNames: {
        '#policy': ATTRIBUTE_PREFIX + policy.uuid,
        ...(userUpsert ? { '#kind': 'kind', '#name': 'name', '#type': 'type' } : {}),
      },
      ExpressionAttributeValues: {
        ':policy': { tagPattern: policy.tagPattern, tagPatternMatches: policy.tagPatternMatches, createdAt: nowMs },
        ...(userUpsert ? { ':user': 'user', ':name': owner.namespace, ':now': nowMs, ':type': 'namespace' } : {}),
      },
    },
  };
  await transact(ctx, [write, putChange(ctx, change)]);
}

/** Deletes a policy; WriteConflictError when it no longer exists. */
export async function deleteImmutabilityPolicy(ctx: StoreContext, owner: PolicyOwner, uuid: string, change: ChangeRecord) {
  await transact(ctx, [
    {
      Update: {
        TableName: ctx.tables.registry,
        Key: ownerKey(owner),
        UpdateExpression: 'REMOVE #policy',
        ConditionExpression: 'attribute_exists(#policy)',
        ExpressionAttributeNames: { '#policy': ATTRIBUTE_PREFIX + uuid },
      },
    },
    putChange(ctx, change),
  ]);
}

/**
 * Marks alive tags (at most 49: two items each) immutable by `policy` and clears their pending expirations
 * (FEATURE_IMMUTABLE_TAGS_CAN_EXPIRE off), in one transaction: each only if its pointer is still at
 * the version read and not already immutable.
 */
export async function markTagsImmutable(ctx: StoreContext, pk: string, tags: LiveTag[], policy: string, change: ChangeRecord | null) {
  const items: TransactItem[] = [];
  for (const tag of tags) {
    const clear = tag.end !== undefined;
    items.push(
      {
        Update: {
          TableName: ctx.tables.registry,
          Key: { PK: pk, SK: tag.rangeSK },
          UpdateExpression: clear
            ? 'SET immutable = :true, immutablePolicy = :policy, endSK = :endSK REMOVE #end, dueShard, dueAt, dueKind'
            : 'SET immutable = :true, immutablePolicy = :policy',
          ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(endedBy)',
          ...(clear ? { ExpressionAttributeNames: { '#end': 'end' } } : {}),
          ExpressionAttributeValues: { ':true': true, ':policy': policy, ...(clear ? { ':endSK': endSK(undefined, tag.name, tag.start) } : {}) },
        },
      },
      {
        Update: {
          TableName: ctx.tables.registry,
          Key: { PK: pk, SK: SK.tag(tag.name) },
          UpdateExpression: `SET immutable = :true, immutablePolicy = :policy, version = :next${clear ? ' REMOVE #end' : ''}`,
          ConditionExpression: 'version = :version AND NOT immutable = :true',
          ...(clear ? { ExpressionAttributeNames: { '#end': 'end' } } : {}),
          ExpressionAttributeValues: { ':true': true, ':policy': policy, ':version': tag.version, ':next': tag.version + 1 },
        },
      },
    );
  }
  if (change) items.push(putChange(ctx, change));
  if (items.length) await transact(ctx, items);
}

/** Records an audit change on its own (a change with no other write in the same transaction). */
export async function recordChange(ctx: StoreContext, change: ChangeRecord) {
  await transact(ctx, [putChange(ctx, change)]);
}

/** A page of a namespace's repository names, in lexical order after `after`. */
export async function listNamespaceRepositories(ctx: StoreContext, namespace: string, limit: number, after?: string) {
  const names: string[] = [];
  await queryPages(
    ctx,
    {
      TableName: ctx.tables.registry,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': namespacePK(namespace), ':prefix': SK.directoryPrefix },
      ConsistentRead: true,
    },
    {
      from: after ? { PK: namespacePK(namespace), SK: SK.directory(after) } : undefined,
      limit: () => limit + 1 - names.length,
      onPage: (items) => (names.push(...items.map((item) => item.name as string)), names.length <= limit),
    },
  );
  return { names: names.slice(0, limit), hasMore: names.length > limit };
}

/** A policy still to apply to one repository's alive tags, from tag `after` on. */
export interface PendingApplication {
  namespace: string;
  repository: string;
  policy: ImmutabilityPolicy;
  after?: string;
  dueAt: number;
}

const pendingKey = (app: Pick<PendingApplication, 'namespace' | 'repository' | 'policy'>) => {
  const pk = repoPK(app.namespace, app.repository);
  return { PK: pk, SK: SK.pendingApplication(app.policy.uuid) };
};

/** Queues (or replaces) the rest of an application for the sweep, due at `dueAt`. */
export async function queueApplication(ctx: StoreContext, app: PendingApplication) {
  const key = pendingKey(app);
  await ctx.client.send(
    new PutCommand({
      TableName: ctx.tables.registry,
      Item: {
        ...key,
        type: 'pendingApplication',
        namespace: app.namespace,
        repository: app.repository,
        policy: app.policy,
        ...(app.after !== undefined ? { after: app.after } : {}),
        dueShard: sweepShard(key.PK + key.SK),
        dueAt: app.dueAt,
        dueKind: 'immutability',
      },
    }),
  );
}

/** The pending application behind a due item (strongly consistent), or null. */
export async function getApplication(ctx: StoreContext, pk: string, sk: string): Promise<PendingApplication | null> {
  const { Item } = await ctx.client.send(new GetCommand({ TableName: ctx.tables.registry, Key: { PK: pk, SK: sk }, ConsistentRead: true }));
  if (!Item || Item.type !== 'pendingApplication') return null;
  return {
    namespace: Item.namespace as string,
    repository: Item.repository as string,
    policy: Item.policy as ImmutabilityPolicy,
    ...(typeof Item.after === 'string' ? { after: Item.after } : {}),
    dueAt: Item.dueAt as number,
  };
}

/** Moves the cursor of a pending application (if still at `dueAt`), or with `after` null, removes it. */
export async function advanceApplication(ctx: StoreContext, app: PendingApplication, after: string | null, dueAt: number) {
  const key = pendingKey(app);
  const condition = { ConditionExpression: 'dueAt = :expected', ExpressionAttributeValues: { ':expected': app.dueAt } };
  try {
    if (after === null) {
      await ctx.client.send(new DeleteCommand({ TableName: ctx.tables.registry, Key: key, ...condition }));
    } else {
      await ctx.client.send(
        new UpdateCommand({
          TableName: ctx.tables.registry,
          Key: key,
          UpdateExpression: 'SET #after = :after, dueAt = :dueAt',
          ConditionExpression: condition.ConditionExpression,
          ExpressionAttributeNames: { '#after': 'after' },
          ExpressionAttributeValues: { ...condition.ExpressionAttributeValues, ':after': after, ':dueAt': dueAt },
        }),
      );
    }
  } catch (error) {
    // Replaced meanwhile (the policy was updated and queued again): that one continues.
    if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
  }
}
