/**
 * GET /v2/auth — the token endpoint named by our Bearer challenges (Docker token protocol). This
 * service does not issue tokens of its own; it hands back the caller's JWT (sent as a Bearer token,
 * or as the password of Basic credentials, e.g. `skopeo --creds user:$TOKEN`) once it verified it,
 * and an anonymous token to callers without credentials, so clients can read public repositories.
 */
import { authenticate } from '../shared/http/auth.js';
import { ociError } from '../shared/http/errors.js';
import { pipelineHandler } from '../shared/http/pipeline.js';

/** Not a JWT: presented back to us it authenticates nobody, i.e. it is an anonymous caller. */
const ANONYMOUS_TOKEN = 'anonymous';

function basicPassword(authorization: string | undefined): string | null {
  const match = /^Basic\s+(\S+)$/i.exec(authorization ?? '');
  if (!match) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? null : decoded.slice(colon + 1);
}

export const handler = pipelineHandler(
  'v2-auth',
  async (request) => {
    const authorization = request.headers.authorization;
    const password = basicPassword(authorization);
    let token = ANONYMOUS_TOKEN;
    if (password !== null) {
      if (!(await authenticate(`Bearer ${password}`))) throw ociError(401, 'UNAUTHORIZED', 'invalid credentials: the password must be a valid token');
      token = password;
    } else if (authorization) {
      if (!request.principal) throw ociError(401, 'UNAUTHORIZED', 'invalid token');
      token = authorization.replace(/^Bearer\s+/i, '').trim();
    }
    return {
      status: 200,
      body: { token, access_token: token, issued_at: new Date(request.deps.clock.now()).toISOString() },
    };
  },
  { errors: 'oci' },
);
