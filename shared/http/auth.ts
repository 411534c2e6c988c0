/**
 * Bearer tokens → principal (DESIGN 5.2). Locally: HS256 with the development secret. Deployed: a
 * JWKS URL with issuer and audience. An invalid or missing token means an anonymous caller, as in
 * Quay; the development secret is refused outside the local runtime.
 */
import { createRemoteJWKSet, errors, jwtVerify } from 'jose';
import type { JWTPayload, JWTVerifyGetKey } from 'jose';
import type { Config } from '../config.js';
import { isUserName } from '../domain/names.js';
import { parseScopeClaim } from '../domain/permissions.js';
import type { Principal } from '../domain/permissions.js';
import { log } from '../log.js';

type Verifier = (token: string) => Promise<JWTPayload | null>;

function buildVerifier(settings: Config): Verifier {
  if (settings.jwksUrl) {
    const keys: JWTVerifyGetKey = createRemoteJWKSet(new URL(settings.jwksUrl));
    return async (token) =>
      (await jwtVerify(token, keys, { issuer: settings.jwtIssuer, audience: settings.jwtAudience })).payload;
  }
  if (settings.jwtSecret && settings.isLocal) {
    const secret = new TextEncoder().encode(settings.jwtSecret);
    return async (token) => (await jwtVerify(token, secret, { algorithms: ['HS256'] })).payload;
  }
  if (settings.jwtSecret) {
    log('error', { message: 'AUTH_JWT_SECRET is refused outside the local runtime; set AUTH_JWKS_URL' });
  }
  return async () => null;
}

/**
 * The caller a verified token names, or null (anonymous). The subject is taken as it is, never
 * trimmed: a subject that is not a user or robot name (`alice/x`, `"alice\u00a0"`) is nobody. A
 * token without `exp` would never expire, so it is refused too. Robots are `namespace+name`.
 */
export function principalFromClaims(payload: JWTPayload, superusers: ReadonlySet<string>): Principal | null {
  const username = typeof payload.sub === 'string' ? payload.sub : '';
  if (!isUserName(username)) {
    log('warn', { message: 'token refused: its subject is not a user or robot name' });
    return null;
  }
  if (typeof payload.exp !== 'number') {
    log('warn', { message: 'token refused: missing exp' });
    return null;
  }
  const isRobot = username.includes('+');
  return {
    username,
    isRobot,
    superuser: !isRobot && superusers.has(username),
    scopes: parseScopeClaim(payload.scope),
  };
}

/** Why jose refused a token, in words an operator can act on. */
function refusalReason(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'expired';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'bad signature';
  if (error instanceof errors.JWKSNoMatchingKey) return 'unknown key (no key of the JWKS matches its kid)';
  if (error instanceof errors.JWTClaimValidationFailed) return `claim ${error.claim} is not acceptable (${error.reason})`;
  if (error instanceof errors.JOSEAlgNotAllowed) return 'algorithm not allowed';
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) return 'malformed token';
  if (error instanceof errors.JOSEError) return error.code;
  return 'verification failed';
}

/** The Authorization header → the caller (null: anonymous). */
export type Authenticate = (authorization: string | undefined) => Promise<Principal | null>;

/** The authenticator of a configuration, built once per cold start (shared/http/runtime.ts). */
export function createAuthenticator(settings: Config): Authenticate {
  const verifier = buildVerifier(settings);
  return async function authenticate(authorization) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match) return null;
    try {
      const payload = await verifier(match[1]);
      return payload ? principalFromClaims(payload, settings.superusers) : null;
    } catch (error) {
      // The reason, never the token.
      log('warn', { message: `token refused: ${refusalReason(error)}` });
      return null;
    }
  };
}
