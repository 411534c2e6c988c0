/**
 * What an authorization decision needs, fetched in ONE round trip: the repository, the caller's
 * permission on it and the namespace (for organization admins and the time-machine window).
 */
import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import type { Role } from '../domain/permissions.js';
import { config } from '../config.js';
import { dynamo } from './client.js';
import { namespaceKey, toNamespace } from './namespaces.js';
import type { NamespaceRecord, RepositoryRecord } from './records.js';
import { permissionKey, repositoryKey, toRepository } from './repositories.js';

export interface RepositoryAccessFacts {
  repository: RepositoryRecord | null;
  namespace: NamespaceRecord | null;
  explicitRole: Role | null;
}

export async function loadRepositoryAccessFacts(
  namespace: string,
  repository: string,
  username: string | null,
): Promise<RepositoryAccessFacts> {
  const table = config().registryTable;
  let keys: Record<string, unknown>[] | undefined = [repositoryKey(namespace, repository), namespaceKey(namespace)];
  if (username) keys.push(permissionKey(namespace, repository, username));
  const facts: RepositoryAccessFacts = { repository: null, namespace: null, explicitRole: null };
  while (keys && keys.length) {
    const result = await dynamo().send(new BatchGetCommand({ RequestItems: { [table]: { Keys: keys, ConsistentRead: true } } }));
    for (const item of result.Responses?.[table] ?? []) {
      if (item.type === 'repository') facts.repository = toRepository(item);
      else if (item.type === 'namespace') facts.namespace = toNamespace(item);
      else if (item.type === 'permission') facts.explicitRole = item.role as Role;
    }
    keys = result.UnprocessedKeys?.[table]?.Keys as Record<string, unknown>[] | undefined;
  }
  return facts;
}
