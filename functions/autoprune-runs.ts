/**
 * GET /api/v1/repository/{ns}/{repo}/autoprune/runs (repository admin) — the auto-prune runs that
 * pruned something in this repository within its time-machine window, newest first.
 */
import { apiHandler } from '../shared/http/api.js';
import { authorizeRepository, requireRepository } from '../shared/http/repository-access.js';

export const handler = apiHandler('autoprune-runs', async (request) => {
  const context = await authorizeRepository(request, 'admin');
  requireRepository(context);
  const since = request.deps.clock.now() - context.windowS * 1000;
  const runs = await request.deps.store.retention.listRuns(context.namespace, context.repositoryName, since);
  return {
    status: 200,
    body: {
      runs: runs.map((run) => ({
        operation_id: run.operationId,
        at: Math.floor(run.at / 1000),
        pruned: run.pruned.map((entry) => ({ tag: entry.tag, manifest_digest: entry.manifestDigest, policy_uuid: entry.policyUuid })),
      })),
    },
  };
});
