/**
 * Auto-prune storage: policies live in the partition of what they govern (a namespace's or a
 * repository's), so a uuid lookup is always scoped by namespace and repository. A scope with
 * policies has one job item whose due time puts it in the sweep's sparse queue (sweepDue): the
 * sweep reads only scopes with policies, never the whole registry. Run logs sit in the repository's
 * partition until the time-machine window has passed (TTL).
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { StoreContext } from './context.js';
import type { AutoprunePolicy } from '../domain/retention-policy.js';
import { putChange } from './changes.js';
import { SK, namespacePK, pad13, repoPK, sweepShard } from './keys.js';
import { queryPages, queryPrefix } from './reads.js';
import type { Item } from './reads.js';
import type { ChangeRecord, LiveTag } from './records.js';
import { repositoryKey } from './repositories.js';
import { REGISTRY_INDEX, TTL_ATTRIBUTE } from './schema.js';
import { toRange } from './tag-reads.js';
import { transact } from './transactions.js';
import type { TransactItem } from './transactions.js';

/** What policies govern: a namespace (repository null) or one repository. */
export interface RetentionScope {
  namespace: string;
  repository: string | null;
}

export interface PrunedEntry {
  tag: string;
  manifestDigest: string;
  policyUuid: string;
  /** Start of the range the prune closed (undo restores only if the name's history still ends there). */
  start: number;
}

export interface AutopruneRun {
  operationId: string;
  /** Epoch ms. */
  at: number;
  pruned: PrunedEntry[];
}

export interface AutopruneJob {
  policyCount: number;
  dueAt: number;
  /** The last repository a namespace job finished, when it stopped for time. */
  cursor?: string;
}

const scopePK = (scope: RetentionScope) => (scope.repository === null ? namespacePK(scope.namespace) : repoPK(scope.namespace, scope.repository));

function toPolicy(item: Item): AutoprunePolicy {
  return {
    uuid: item.uuid as string,
    method: item.method as AutoprunePolicy['method'],
    value: item.value as number | string,
    tagPattern: (item.tagPattern as string | undefined) ?? null,
    tagPatternMatches: item.tagPatternMatches !== false,
    createdAt: item.createdAt as number,
  };
}

export async function listPolicies(ctx: StoreContext, scope: RetentionScope): Promise<AutoprunePolicy[]> {
  return (await queryPrefix(ctx, ctx.tables.registry, scopePK(scope), SK.autoprunePolicyPrefix)).map(toPolicy);
}

export async function getPolicy(ctx: StoreContext, scope: RetentionScope, uuid: string): Promise<AutoprunePolicy | null> {
  const { Item } = await ctx.client.send(
    new GetCommand({ TableName: ctx.tables.registry, Key: { PK: scopePK(scope), SK: SK.autoprunePolicy(uuid) }, ConsistentRead: true }),
  );
  return Item ? toPolicy(Item) : null;
}

/** The job item's update: due now (a new or changed policy runs at the next sweep), count adjusted. */
function touchJob(ctx: StoreContext, scope: RetentionScope, nowMs: number, countDelta: number): TransactItem {
  const pk = scopePK(scope);
  return {
    Update: {
      TableName: ctx.tables.registry,
      Key: { PK: pk, SK: SK.autopruneJob },
      UpdateExpression: 'SET #type = :type, dueShard = :shard, dueAt = :now, dueKind = :kind, namespace = :ns ADD policyCount :delta REMOVE #cursor',
      ExpressionAttributeNames: { '#type': 'type', '#cursor': 'cursor' },
      ExpressionAttributeValues: {
        ':type': 'autopruneJob',
        ':shard': sweepShard(pk + SK.autopruneJob),
        ':now': nowMs,
        ':kind': scope.repository === null ? 'prune-namespace' : 'prune-repository',
        ':ns': scope.namespace,
        ':delta': countDelta,
      },
    },
  };
}

/** A repository policy needs its repository to exist when it lands. */
function scopeExists(ctx: StoreContext, scope: RetentionScope): TransactItem[] {
  if (scope.repository === null) return [];
  return [{ ConditionCheck: { TableName: ctx.tables.registry, Key: repositoryKey(scope.namespace, scope.repository), ConditionExpression: 'attribute_exists(PK)' } }];
}

function policyItem(scope: RetentionScope, policy: AutoprunePolicy) {
  return {
    PK: scopePK(scope),
    SK: SK.autoprunePolicy(policy.uuid),
    type: 'autoprunePolicy',
    uuid: policy.uuid,
    method: policy.method,
    value: policy.value,
    ...(policy.tagPattern === null ? {} : { tagPattern: policy.tagPattern }),
    tagPatternMatches: policy.tagPatternMatches,
    createdAt: policy.createdAt,
  };
}

export async function createPolicy(ctx: StoreContext, scope: RetentionScope, policy: AutoprunePolicy, change: ChangeRecord): Promise<void> {
  await transact(ctx, [
    { Put: { TableName: ctx.tables.registry, Item: policyItem(scope, policy), ConditionExpression: 'attribute_not_exists(PK)' } },
    touchJob(ctx, scope, change.at, 1),
    ...scopeExists(ctx, scope),
    putChange(ctx, change),
  ]);
}

/** Replaces a policy's configuration (keeps its uuid and place in the order); WriteConflictError if gone. */
export async function updatePolicy(ctx: StoreContext, scope: RetentionScope, policy: AutoprunePolicy, change: ChangeRecord): Promise<void> {
  await transact(ctx, [
    { Put: { TableName: ctx.tables.registry, Item: policyItem(scope, policy), ConditionExpression: 'attribute_exists(PK)' } },
    touchJob(ctx, scope, change.at, 0),
    putChange(ctx, change),
  ]);
}

export async function deletePolicy(ctx: StoreContext, scope: RetentionScope, uuid: string, change: ChangeRecord): Promise<void> {
  await transact(ctx, [
    { Delete: { TableName: ctx.tables.registry, Key: { PK: scopePK(scope), SK: SK.autoprunePolicy(uuid) }, ConditionExpression: 'attribute_exists(PK)' } },
    touchJob(ctx, scope, change.at, -1),
    putChange(ctx, change),
  ]);
}

export async function getJob(ctx: StoreContext, scope: RetentionScope): Promise<AutopruneJob | null> {
  const { Item } = await ctx.client.send(new GetCommand({ TableName: ctx.tables.registry, Key: { PK: scopePK(scope), SK: SK.autopruneJob }, ConsistentRead: true }));
  return Item ? { policyCount: (Item.policyCount as number) ?? 0, dueAt: Item.dueAt as number, cursor: Item.cursor as string | undefined } : null;
}

/**
 * Ends a job's turn, if nobody touched it since it was read (`expectedDueAt`): with `nextDueAt` it is
 * due again then (cursor kept for a namespace job that stopped for time), without it the job leaves
 * the queue for good (its scope has no policy left).
 */
export async function settleJob(ctx: StoreContext, scope: RetentionScope, expectedDueAt: number, next: { dueAt: number; cursor?: string } | null) {
  const key = { PK: scopePK(scope), SK: SK.autopruneJob };
  if (!next) {
    const condition = 'dueAt = :expected AND policyCount <= :zero';
    await transact(ctx, [{ Delete: { TableName: ctx.tables.registry, Key: key, ConditionExpression: condition, ExpressionAttributeValues: { ':expected': expectedDueAt, ':zero': 0 } } }]);
    return;
  }
  const keepCursor = next.cursor !== undefined;
  await transact(ctx, [
    {
      Update: {
        TableName: ctx.tables.registry,
        Key: key,
        UpdateExpression: keepCursor ? 'SET dueAt = :next, #cursor = :cursor' : 'SET dueAt = :next REMOVE #cursor',
        ConditionExpression: 'dueAt = :expected',
        ExpressionAttributeNames: { '#cursor': 'cursor' },
        ExpressionAttributeValues: { ':expected': expectedDueAt, ':next': next.dueAt, ...(keepCursor ? { ':cursor': next.cursor } : {}) },
      },
    },
  ]);
}

/** A page of a namespace's repository names after `after`, by name (namespaceRepos index; no Scan). */
export async function listNamespaceRepositories(ctx: StoreContext, namespace: string, limit: number, after?: string) {
  const names: string[] = [];
  const next = await queryPages(
    ctx,
    {
      TableName: ctx.tables.registry,
      IndexName: REGISTRY_INDEX.namespaceRepos,
      KeyConditionExpression: after === undefined ? 'reposOf = :ns' : 'reposOf = :ns AND #name > :after',
      ExpressionAttributeNames: { '#name': 'name', '#kind': 'kind' },
      ExpressionAttributeValues: { ':ns': namespace, ...(after === undefined ? {} : { ':after': after }) },
      ProjectionExpression: '#name, #kind',
    },
    { limit: () => limit - names.length, onPage: (items) => (names.push(...items.map((item) => item.name as string)), names.length < limit) },
  );
  return { names, hasMore: next !== undefined };
}

/** Every alive pointer of a repository (activeTags index, newest first), with what each read cost. */
export async function listAlivePointers(ctx: StoreContext, pk: string, nowMs: number): Promise<{ tags: LiveTag[]; read: number }> {
  const tags: LiveTag[] = [];
  let read = 0;
  await queryPages(
    ctx,
    { TableName: ctx.tables.registry, IndexName: REGISTRY_INDEX.activeTags, KeyConditionExpression: 'activePK = :pk', ExpressionAttributeValues: { ':pk': pk } },
    {
      onPage: (items, scanned) => {
        read += scanned;
        for (const item of items) {
          const tag = { ...toRange(item), version: item.version as number, rangeSK: item.rangeSK as string };
          if (!tag.endedBy && (tag.end === undefined || tag.end > nowMs)) tags.push(tag);
        }
        return true;
      },
    },
  );
  return { tags, read };
}

export async function putRun(ctx: StoreContext, namespace: string, repository: string, run: AutopruneRun, keepUntilMs: number): Promise<void> {
  await ctx.client.send(
    new PutCommand({
      TableName: ctx.tables.registry,
      Item: { PK: repoPK(namespace, repository), SK: SK.autopruneRun(run.operationId), type: 'autopruneRun', ...run, [TTL_ATTRIBUTE]: Math.ceil(keepUntilMs / 1000) },
    }),
  );
}

const toRun = (item: Item): AutopruneRun => ({ operationId: item.operationId as string, at: item.at as number, pruned: item.pruned as PrunedEntry[] });

/** Runs since `sinceMs`, newest first (operation ids begin with the run's padded time). */
export async function listRuns(ctx: StoreContext, namespace: string, repository: string, sinceMs: number): Promise<AutopruneRun[]> {
  const runs: AutopruneRun[] = [];
  await queryPages(
    ctx,
    {
      TableName: ctx.tables.registry,
      KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':pk': repoPK(namespace, repository), ':from': SK.autopruneRun(pad13(Math.max(0, sinceMs))), ':to': `${SK.autopruneRunPrefix}~` },
      ScanIndexForward: false,
      ConsistentRead: true,
    },
    { onPage: (items) => (runs.push(...items.map(toRun)), true) },
  );
  return runs;
}

export async function getRun(ctx: StoreContext, namespace: string, repository: string, operationId: string): Promise<AutopruneRun | null> {
  const { Item } = await ctx.client.send(
    new GetCommand({ TableName: ctx.tables.registry, Key: { PK: repoPK(namespace, repository), SK: SK.autopruneRun(operationId) }, ConsistentRead: true }),
  );
  return Item ? toRun(Item) : null;
}
