/**
 * GET /v2/auth — the token endpoint named by our Bearer challenges (Docker token protocol). This
 * service does not issue tokens of its own; it hands back the caller's JWT (sent as a Bearer token,
 * or as the password of Basic credentials, e.g. `skopeo --creds user:$TOKEN`) once it verified it,
 * and an anonymous token to callers without credentials, so clients can read public repositories.
 */
import { ANONYMOUS_TOKEN, presentedCredentials } from '../shared/http/challenge.js';
import { ociError } from '../shared/http/errors.js';
import { pipelineHandler } from '../shared/http/pipeline.js';

export const handler = pipelineHandler(
  'v2-auth',
  async (request) => {
    const credentials = await presentedCredentials(request);
    if (credentials === 'invalid') throw ociError(401, 'UNAUTHORIZED', 'invalid credentials: the password or bearer token must be a valid token');
    const token = credentials.kind === 'valid' ? credentials.token : ANONYMOUS_TOKEN;
    return {
      status: 200,
      body: { token, access_token: token, issued_at: new Date(request.deps.clock.now()).toISOString() },
    };
  },
  { errors: 'oci' },
);
