/**
 * GET /v2/ — the API version check that real clients probe first. It answers 200; to anonymous
 * callers it also sends the Bearer challenge, because OCI clients (containers/image: skopeo, podman,
 * buildah) learn from this probe how to authenticate: without it they never send the token given
 * with --registry-token, and private repositories look unauthorized.
 */
import { bearerChallenge, presentedCredentials } from '../shared/http/challenge.js';
import { ociError } from '../shared/http/errors.js';
import { pipelineHandler } from '../shared/http/pipeline.js';

const API_VERSION = { 'docker-distribution-api-version': 'registry/2.0' };

export const handler = pipelineHandler(
  'v2-base',
  async (request) => {
    // Credentials that do not verify are refused here, so a client can tell before it pulls.
    if ((await presentedCredentials(request)) === 'invalid') {
      throw ociError(401, 'UNAUTHORIZED', 'invalid credentials', null, { ...API_VERSION, ...bearerChallenge(request) });
    }
    return { status: 200, body: {}, headers: { ...API_VERSION, ...(request.principal ? {} : bearerChallenge(request)) } };
  },
  { errors: 'oci' },
);
