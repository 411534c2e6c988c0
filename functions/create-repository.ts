/** POST /api/v1/repository — create a repository (image or application kind). */
import { decideRepositoryCreate } from '../shared/domain/permissions.js';
import { NAMESPACE_PATTERN, REPOSITORY_PATTERN } from '../shared/domain/names.js';
import { changeBy } from '../shared/http/admin.js';
import { jsonBody } from '../shared/http/body.js';
import { quay } from '../shared/http/errors.js';
import { apiHandler } from '../shared/http/api.js';

export const handler = apiHandler('create-repository', async (request) => {
  // The namespace comes in the body, but anonymous callers are refused before it is read.
  if (!request.principal) throw quay.unauthorized(false);
  const body = jsonBody(request, 'CreateRepository');
  const { store, clock } = request.deps;
  if (!NAMESPACE_PATTERN.test(body.namespace)) throw quay.invalidRequest('Invalid namespace name');
  const namespaceRecord = await store.namespaces.getNamespace(body.namespace);
  const decision = decideRepositoryCreate({
    principal: request.principal,
    namespace: body.namespace,
    namespaceFacts: namespaceRecord
      ? { kind: namespaceRecord.kind, admins: new Set(namespaceRecord.admins) }
      : { kind: 'missing', admins: new Set() },
  });
  if (!decision.allowed) {
    if (decision.status === 404) throw quay.notFound();
    throw quay.unauthorized(decision.status === 403);
  }
  if (!REPOSITORY_PATTERN.test(body.repository)) {
    throw quay.invalidRequest('Invalid repository name: use lowercase letters and digits, separated by single ".", "_" or "-"');
  }
  const kind = body.repo_kind ?? 'image';
  const ownUserNamespace = namespaceRecord?.kind !== 'organization' && request.principal?.username === body.namespace;
  await store.repositories.createRepository(
      {
        namespace: body.namespace,
        name: body.repository,
        kind,
        visibility: body.visibility,
        description: body.description ?? '',
        createdAt: clock.now(),
      },
      ownUserNamespace,
      changeBy(request, 'create_repo', body.namespace, body.repository, { repo: body.repository, namespace: body.namespace }),
  );
  return { status: 201, body: { namespace: body.namespace, name: body.repository, kind } };
}, { jsonBody: true, conflict: () => quay.invalidRequest('Repository already exists') });
