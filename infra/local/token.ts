/**
 * Local tokens: `npm run token -- <username> [--scope "repo:read repo:write"] [--ttl seconds]`
 * prints an HS256 JWT signed with AUTH_JWT_SECRET (default 'local-dev-secret'), the secret the
 * local runtime accepts. Tests import `signLocalToken`.
 */
import { SignJWT } from 'jose';
import { pathToFileURL } from 'node:url';

export const DEFAULT_LOCAL_SECRET = 'local-dev-secret';
export const DEFAULT_TTL_SECONDS = 3600;

export interface LocalTokenOptions {
  /** Space-separated scopes (`repo:read repo:write repo:admin repo:create`); absent = full rights. */
  scope?: string;
  /** Lifetime in seconds; default 3600. */
  ttlSeconds?: number;
  /** Default: AUTH_JWT_SECRET or 'local-dev-secret'. */
  secret?: string;
  /** "Now" in epoch ms for iat/exp (tests pass the service clock); default Date.now(). */
  now?: number;
}

/** An HS256 JWT with sub, iat, exp and the optional scope claim. */
export async function signLocalToken(username: string, options: LocalTokenOptions = {}): Promise<string> {
  if (!username) throw new Error('a username is required');
  const ttl = options.ttlSeconds ?? DEFAULT_TTL_SECONDS;
  if (!Number.isFinite(ttl) || ttl <= 0) throw new Error('ttl must be a positive number of seconds');
  const secret = options.secret ?? process.env.AUTH_JWT_SECRET ?? DEFAULT_LOCAL_SECRET;
  const iat = Math.floor((options.now ?? Date.now()) / 1000);
  const claims: Record<string, unknown> = {};
  if (options.scope !== undefined && options.scope.trim() !== '') claims.scope = options.scope.trim().split(/\s+/).join(' ');
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(username)
    .setIssuedAt(iat)
    .setExpirationTime(iat + Math.floor(ttl))
    .sign(new TextEncoder().encode(secret));
}

const USAGE = 'usage: npm run token -- <username> [--scope "repo:read repo:write"] [--ttl seconds]';

/** Parses the command line of `npm run token`. */
export function parseTokenArgs(argv: string[]): { username: string; scope?: string; ttlSeconds?: number } {
  let username: string | undefined;
  let scope: string | undefined;
  let ttlSeconds: number | undefined;
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index] ?? '';
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => {
      if (inline !== undefined) return inline;
      index += 1;
      const next = argv[index];
      if (next === undefined) throw new Error(`${flag} needs a value\n${USAGE}`);
      return next;
    };
    if (flag === '--scope') scope = value();
    else if (flag === '--ttl') {
      const raw = value();
      ttlSeconds = Number(raw);
      if (!Number.isFinite(ttlSeconds) || ttlSeconds <= 0) throw new Error(`--ttl must be a positive number of seconds, got ${raw}\n${USAGE}`);
    } else if (flag === '--help' || flag === '-h') throw new Error(USAGE);
    else if (flag.startsWith('-')) throw new Error(`unknown option ${flag}\n${USAGE}`);
    else if (username === undefined) username = flag;
    else throw new Error(`unexpected argument ${flag}\n${USAGE}`);
  }
  if (!username) throw new Error(USAGE);
  return { username, scope, ttlSeconds };
}

async function main(): Promise<void> {
  try {
    const args = parseTokenArgs(process.argv.slice(2));
    process.stdout.write(`${await signLocalToken(args.username, { scope: args.scope, ttlSeconds: args.ttlSeconds })}\n`);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
