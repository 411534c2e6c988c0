/**
 * POST /api/v1/repository/{ns}/{repo}/autoprune/runs/{operation_id}/undo (repository admin) —
 * restores every tag that run pruned whose name has not been used since; reports the others.
 */
import { findRun, undoRun } from '../shared/domain/retention-undo.js';
import { apiHandler } from '../shared/http/api.js';
import { quay } from '../shared/http/errors.js';
import { actorOf, authorizeRepository, requireRepository } from '../shared/http/repository-access.js';

/** Operation ids are `<13-digit ms>-<uuid>`; anything else names no run (404 without a lookup). */
const OPERATION_ID = /^\d{13}-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const handler = apiHandler('autoprune-undo', async (request) => {
  const context = await authorizeRepository(request, 'admin');
  requireRepository(context);
  const actor = actorOf(context, request);
  const operationId = request.params.operation_id;
  const run = OPERATION_ID.test(operationId) ? await findRun(request.deps, actor, operationId) : null;
  if (!run) throw quay.notFound();
  return { status: 200, body: await undoRun(request.deps, actor, run) };
});
