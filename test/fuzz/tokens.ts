/**
 * The tokens the suite presents: real principals (users, a robot) with and without scopes, and
 * tokens that must authenticate nobody: expired, without `exp`, badly signed, `alg: none`, garbage,
 * and well-signed tokens whose subject is not a valid user or robot name ("devtable\u00a0" must not
 * act as devtable; "devtable/x" must not own a namespace). Signed once, before the properties run.
 */
import { SignJWT } from 'jose';
import { signClaims, type World } from './world.js';

export interface TokenChoice {
  label: string;
  /** The Authorization header value, or undefined for none. */
  token?: string;
  /** The request must be answered exactly as an anonymous one would be. */
  anonymous: boolean;
}

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** Subjects that are not user or robot names, each next to the real name it resembles. */
export const INVALID_SUBJECTS = [
  'devtable\u00a0',
  '\u00a0devtable',
  'devtable\u2003',
  ' devtable',
  'devtable\t',
  'devtable\n',
  '\ufeffdevtable',
  'devtable\u200b',
  'devtable/x',
  'devtable/simple',
  '../devtable',
  'DEVTABLE',
  'Devtable',
  'devtable+',
  '+ci',
  'devtable+ci+x',
  'devtable+CI',
  'dévtable',
  'x'.repeat(300),
  '',
];

export async function buildTokens(world: World): Promise<TokenChoice[]> {
  const now = Math.floor(Date.now() / 1000);
  const choices: TokenChoice[] = [{ label: 'none', anonymous: true }];
  const principals = [...world.users, ...world.robots];
  for (const user of principals) {
    for (const scope of [undefined, 'repo:read', 'repo:write', 'repo:admin', 'repo:create', 'repo:read repo:write', 'bogus']) {
      const claims: Record<string, unknown> = { sub: user, iat: now, exp: now + 86_400 };
      if (scope) claims.scope = scope;
      choices.push({ label: `${user}${scope ? ` scope=${scope}` : ''}`, token: await signClaims(claims), anonymous: false });
    }
  }
  const anonymous = async (label: string, token: string) => choices.push({ label, token, anonymous: true });
  await anonymous('expired devtable', await signClaims({ sub: 'devtable', iat: now - 7200, exp: now - 3600 }));
  await anonymous('devtable without exp', await signClaims({ sub: 'devtable', iat: now }));
  await anonymous('devtable nbf in a day', await signClaims({ sub: 'devtable', iat: now, nbf: now + 86_400, exp: now + 2 * 86_400 }));
  await anonymous('devtable exp as a string', await signClaims({ sub: 'devtable', iat: now, exp: String(now + 86_400) }));
  await anonymous(
    'devtable signed with another secret',
    await new SignJWT({ sub: 'devtable', iat: now, exp: now + 86_400 }).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('not-the-secret')),
  );
  await anonymous('devtable alg none', `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'devtable', iat: now, exp: now + 86_400 })}.`);
  await anonymous('payload not JSON', `${b64({ alg: 'HS256' })}.${b64('not json')}.${b64('x')}`);
  await anonymous('sub is a number', await signClaims({ sub: 123, iat: now, exp: now + 86_400 }));
  await anonymous('sub is an array', await signClaims({ sub: ['devtable'], iat: now, exp: now + 86_400 }));
  await anonymous('no sub', await signClaims({ iat: now, exp: now + 86_400 }));
  for (const garbage of ['garbage', 'a.b.c', 'eyJ.eyJ.', 'anonymous', 'A'.repeat(4000), '%00', 'Bearer']) await anonymous(`garbage ${garbage.slice(0, 12)}`, garbage);
  for (const subject of INVALID_SUBJECTS) {
    await anonymous(`subject ${JSON.stringify(subject.slice(0, 20))}`, await signClaims({ sub: subject, iat: now, exp: now + 86_400 }));
  }
  return choices;
}

/** How the token is put into the Authorization header; only `Bearer` forms carry it on /api routes. */
export const AUTH_FORMS = ['Bearer', 'bearer', 'BEARER-spaces', 'Basic', 'Token', 'Bearer-trailing-word'] as const;
export type AuthForm = (typeof AUTH_FORMS)[number];

export function authorizationHeader(token: string, form: AuthForm): string {
  switch (form) {
    case 'Bearer':
      return `Bearer ${token}`;
    case 'bearer':
      return `bearer ${token}`;
    case 'BEARER-spaces':
      return `BEARER   ${token}  `;
    case 'Basic':
      return `Basic ${Buffer.from(`devtable:${token}`).toString('base64')}`;
    case 'Token':
      return `Token ${token}`;
    case 'Bearer-trailing-word':
      return `Bearer ${token} extra`;
  }
}

/** Whether this header form presents a bearer token at all (else the caller is anonymous on /api). */
export function presentsBearer(form: AuthForm): boolean {
  return form === 'Bearer' || form === 'bearer' || form === 'BEARER-spaces';
}
