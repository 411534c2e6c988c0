/**
 * GET /v2/ — the API version check that real clients probe first. It answers 200; to anonymous
 * callers it also sends the Bearer challenge, because OCI clients (containers/image: skopeo, podman,
 * buildah) learn from this probe how to authenticate: without it they never send the token given
 * with --registry-token, and private repositories look unauthorized.
 */
import { ociError } from '../shared/http/errors.js';
import { pipelineHandler } from '../shared/http/pipeline.js';
import { bearerChallenge } from '../shared/http/registry-access.js';

const API_VERSION = { 'docker-distribution-api-version': 'registry/2.0' };

export const handler = pipelineHandler(
  'v2-base',
  async (request) => {
    // Credentials that do not verify are refused here, so `docker login` and friends can tell.
    if (request.headers.authorization && !request.principal) {
      throw ociError(401, 'UNAUTHORIZED', 'invalid credentials', null, { ...API_VERSION, ...bearerChallenge(request) });
    }
    return { status: 200, body: {}, headers: { ...API_VERSION, ...(request.principal ? {} : bearerChallenge(request)) } };
  },
  { errors: 'oci' },
);
