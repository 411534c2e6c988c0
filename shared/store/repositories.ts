/** Repositories and their user permissions. */
import type { StoreContext } from './context.js';
import type { Role } from '../domain/permissions.js';
import { putChange } from './changes.js';
import { SK, namespacePK, repoPK } from './keys.js';
import { ensureUserNamespace } from './namespaces.js';
import { policiesField } from './immutability-policies.js';
import { queryPrefix } from './reads.js';
import type { ChangeRecord, PermissionRecord, RepositoryRecord, Visibility } from './records.js';
import { transact } from './transactions.js';
import type { TransactItem } from './transactions.js';

export function toRepository(item: Record<string, unknown>): RepositoryRecord {
  return {
    namespace: item.namespace as string,
    name: item.name as string,
    kind: (item.kind as RepositoryRecord['kind']) ?? 'image',
    visibility: item.visibility as Visibility,
    description: (item.description as string | undefined) ?? '',
    createdAt: item.createdAt as number,
    ...policiesField(item, 'repository'),
  };
}

export const repositoryKey = (namespace: string, name: string) => ({ PK: repoPK(namespace, name), SK: SK.repository });
export const permissionKey = (namespace: string, name: string, username: string) => ({
  PK: repoPK(namespace, name),
  SK: SK.permission(username),
});

/**
 * Creates a repository (fails with WriteConflictError if it exists). In a user's own namespace the
 * namespace item is created on the way, in the same transaction.
 */
export async function createRepository(ctx: StoreContext, repository: RepositoryRecord, ownUserNamespace: boolean, change: ChangeRecord) {
  const items: TransactItem[] = [
    {
      Put: {
        TableName: ctx.tables.registry,
        Item: { ...repositoryKey(repository.namespace, repository.name), type: 'repository', ...repository, reposOf: repository.namespace },
        ConditionExpression: 'attribute_not_exists(PK)',
      },
    },
    // The namespace's directory entry: namespace-wide work (immutability policies) lists repositories with it.
    {
      Put: {
        TableName: ctx.tables.registry,
        Item: { PK: namespacePK(repository.namespace), SK: SK.directory(repository.name), type: 'directory', name: repository.name },
      },
    },
    putChange(ctx, change),
  ];
  if (ownUserNamespace) items.push(ensureUserNamespace(ctx, repository.namespace, repository.createdAt));
  await transact(ctx, items);
}

export async function setVisibility(ctx: StoreContext, namespace: string, name: string, visibility: Visibility, change: ChangeRecord) {
  await transact(ctx, [
    {
      Update: {
        TableName: ctx.tables.registry,
        Key: repositoryKey(namespace, name),
        UpdateExpression: 'SET visibility = :visibility',
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeValues: { ':visibility': visibility },
      },
    },
    putChange(ctx, change),
  ]);
}

export async function putPermission(ctx: StoreContext, namespace: string, name: string, permission: PermissionRecord, change: ChangeRecord) {
  await transact(ctx, [
    {
      Put: {
        TableName: ctx.tables.registry,
        Item: { ...permissionKey(namespace, name, permission.username), type: 'permission', ...permission },
      },
    },
    // The repository must still exist when the grant lands.
    { ConditionCheck: { TableName: ctx.tables.registry, Key: repositoryKey(namespace, name), ConditionExpression: 'attribute_exists(PK)' } },
    putChange(ctx, change),
  ]);
}

/** Removes a permission; fails (WriteConflictError) when there was none. */
export async function deletePermission(ctx: StoreContext, namespace: string, name: string, username: string, change: ChangeRecord) {
  await transact(ctx, [
    {
      Delete: {
        TableName: ctx.tables.registry,
        Key: permissionKey(namespace, name, username),
        ConditionExpression: 'attribute_exists(PK)',
      },
    },
    putChange(ctx, change),
  ]);
}

export async function listPermissions(ctx: StoreContext, namespace: string, name: string): Promise<PermissionRecord[]> {
  const items = await queryPrefix(ctx, ctx.tables.registry, repoPK(namespace, name), SK.permissionPrefix);
  return items.map((item) => ({ username: item.username as string, role: item.role as Role }));
}
