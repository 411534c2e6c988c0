/**
 * What an authorization decision needs, fetched in ONE round trip: the repository, the caller's
 * permission on it and the namespace (for organization admins and the time-machine window).
 */
import type { StoreContext } from './context.js';
import type { Role } from '../domain/permissions.js';
import { namespaceKey, toNamespace } from './namespaces.js';
import { batchGet } from './reads.js';
import type { NamespaceRecord, RepositoryRecord } from './records.js';
import { permissionKey, repositoryKey, toRepository } from './repositories.js';

export interface RepositoryAccessFacts {
  repository: RepositoryRecord | null;
  namespace: NamespaceRecord | null;
  explicitRole: Role | null;
}

export async function loadRepositoryAccessFacts(ctx: StoreContext, 
  namespace: string,
  repository: string,
  username: string | null,
): Promise<RepositoryAccessFacts> {
  const keys = [repositoryKey(namespace, repository), namespaceKey(namespace)];
  if (username) keys.push(permissionKey(namespace, repository, username));
  const facts: RepositoryAccessFacts = { repository: null, namespace: null, explicitRole: null };
  for (const item of await batchGet(ctx, ctx.tables.registry, keys)) {
    if (item.type === 'repository') facts.repository = toRepository(item);
    else if (item.type === 'namespace') facts.namespace = toNamespace(item);
    else if (item.type === 'permission') facts.explicitRole = item.role as Role;
  }
  return facts;
}
