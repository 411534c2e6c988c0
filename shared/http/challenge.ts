/**
 * The Bearer challenge and token handling of the /v2 API (Docker token protocol). Kept free of store
 * imports: the /v2 probe and token endpoint bundle it without the AWS SDK.
 */
import type { ApiRequest } from './pipeline.js';

/** Not a JWT: presented back to us it authenticates nobody, i.e. an anonymous caller. */
export const ANONYMOUS_TOKEN = 'anonymous';

/** What a scope may contain inside the header's quoted string (names are validated, §2.5 of the API docs). */
const SAFE_SCOPE = /^[a-z0-9._+/:,-]{1,600}$/;

export function bearerChallenge(request: ApiRequest, scope?: string): Record<string, string> {
  const service = new URL(request.baseUrl).host;
  // A scope naming something that cannot exist (a path with quotes, say) is left out, never echoed.
  const scopePart = scope && SAFE_SCOPE.test(scope) ? `,scope="${scope}"` : '';
  return { 'www-authenticate': `Bearer realm="${request.baseUrl}/v2/auth",service="${service}"${scopePart}` };
}

/** The password of Basic credentials (registries take a token there), or null. */
export function basicPassword(authorization: string | undefined): string | null {
  const match = /^Basic\s+(\S+)$/i.exec(authorization ?? '');
  if (!match) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? null : decoded.slice(colon + 1);
}

export type PresentedCredentials =
  | { kind: 'none' }
  | { kind: 'valid'; token: string }
  | 'invalid';

/**
 * What the caller presented: nothing (or our anonymous token), a verified token (as a Bearer
 * token or as the password of Basic credentials), or credentials that do not verify.
 */
export async function presentedCredentials(request: ApiRequest): Promise<PresentedCredentials> {
  const authorization = request.headers.authorization;
  if (!authorization) return { kind: 'none' };
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1];
  if (bearer === ANONYMOUS_TOKEN) return { kind: 'none' };
  const token = bearer ?? basicPassword(authorization);
  if (!token) return 'invalid';
  if (bearer !== undefined ? request.principal : await request.deps.authenticate(`Bearer ${token}`)) return { kind: 'valid', token };
  return 'invalid';
}
