/**
 * Authorization of the /v2 routes: the same decision as the Quay API, answered in the OCI error
 * shape, with the Bearer challenge real clients (docker, skopeo, crane) expect on a 401.
 */
import type { Role } from '../domain/permissions.js';
import { bearerChallenge } from './challenge.js';
import { HttpError, ociError } from './errors.js';
import type { ApiRequest } from './pipeline.js';
import { authorizeRepository, authorizeRepositoryAlongside } from './repository-access.js';
import type { RepositoryContext } from './repository-access.js';

type RegistryContext = RepositoryContext & { repositoryExists: true };

export function authorizeRegistry(request: ApiRequest, need: Role): Promise<RegistryContext> {
  return registryDecision(request, need, () => authorizeRepository(request, need));
}

/** authorizeRegistry with `read` started alongside (see authorizeRepositoryAlongside). */
export async function authorizeRegistryAlongside<T>(
  request: ApiRequest,
  need: Role,
  read: (pk: string) => Promise<T>,
): Promise<{ context: RegistryContext; data: () => Promise<T> }> {
  let data: () => Promise<T> = () => Promise.reject(new Error('unauthorized'));
  const context = await registryDecision(request, need, async () => {
    const authorized = await authorizeRepositoryAlongside(request, need, read);
    data = authorized.data;
    return authorized.context;
  });
  return { context, data };
}

async function registryDecision(request: ApiRequest, need: Role, authorize: () => Promise<RepositoryContext>): Promise<RegistryContext> {
  const name = `${request.params.ns}/${request.params.repo}`;
  let context: RepositoryContext;
  try {
    context = await authorize();
  } catch (error) {
    if (!(error instanceof HttpError)) throw error;
    if (error.status === 401) {
      const actions = need === 'read' ? 'pull' : 'pull,push';
      throw ociError(401, 'UNAUTHORIZED', 'authentication required', null, bearerChallenge(request, `repository:${name}:${actions}`));
    }
    if (error.status === 403) throw ociError(403, 'DENIED', 'requested access to the resource is denied');
    throw ociError(404, 'NAME_UNKNOWN', 'repository name not known to registry', { name });
  }
  if (!context.repository) throw ociError(404, 'NAME_UNKNOWN', 'repository name not known to registry', { name });
  if (context.repository.kind === 'application') {
    throw ociError(405, 'UNSUPPORTED', 'application repositories do not hold container images', { name });
  }
  return context as RegistryContext;
}
