/**
 * GET /v2/ — the API version check that real clients probe first. It answers 200; to anonymous
 * callers it also sends the Bearer challenge, because OCI clients (containers/image: skopeo, podman,
 * buildah) learn from this probe how to authenticate: without it they never send the token given
 * with --registry-token, and private repositories look unauthorized.
 */
import { apiHandler } from '../shared/http/pipeline.js';
import { bearerChallenge } from '../shared/http/registry-access.js';

export const handler = apiHandler(
  'v2-base',
  async (request) => ({
    status: 200,
    body: {},
    headers: {
      'docker-distribution-api-version': 'registry/2.0',
      ...(request.principal ? {} : bearerChallenge(request)),
    },
  }),
  { errors: 'oci' },
);
