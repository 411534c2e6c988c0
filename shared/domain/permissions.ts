/**
 * Pure authorization decisions, Quay semantics (reference/quay-tag-api.md §7, §8.4; DESIGN §5.2).
 *
 * Nothing here does I/O: the caller gathers the facts (principal from the token, namespace kind and
 * admins, the repository row, the caller's permission row) and gets back a decision.
 *
 * Model:
 * - Base role on a repository = the highest of
 *   - `admin` for a superuser (SUPERUSERS; never a robot),
 *   - `admin` for a namespace admin: a non-robot user owns the namespace named after them unless
 *     that namespace is an organization; an organization's admins are listed in `admins`,
 *   - the explicit permission row (read < write < admin; team-derived roles are folded in by the
 *     caller).
 * - A token `scope` claim narrows: the role is capped at the highest repo:* scope granted
 *   (repo:read → read, repo:write → write, repo:admin → admin; repo:create grants no repository
 *   role). No scope claim (`scopes === null`) = the user's full rights. Superusers are narrowed too.
 * - Public repositories are readable by anyone, whatever the token's scopes.
 * - The permission check comes before the repository lookup: a missing repository answers 404 only
 *   to callers whose rights do not depend on the repository row (namespace admins, superusers);
 *   everyone else gets 401 (anonymous) or 403 (authenticated), exactly as for a private repository
 *   they cannot see.
 */

export type Role = 'read' | 'write' | 'admin';
export type Scope = 'repo:read' | 'repo:write' | 'repo:admin' | 'repo:create';

export interface Principal {
  /** JWT `sub`; robots are `namespace+robotname`. */
  username: string;
  isRobot: boolean;
  /** Listed in SUPERUSERS. */
  superuser: boolean;
  /** null = no scope claim = the user's full rights. */
  scopes: ReadonlySet<Scope> | null;
}

export interface NamespaceFacts {
  kind: 'user' | 'organization' | 'missing';
  /** Organization admins (ignored for other kinds). */
  admins: ReadonlySet<string>;
}

export interface RepositoryFacts {
  visibility: 'public' | 'private';
}

export type AccessDecision =
  | { allowed: true; role: Role | null }
  | { allowed: false; status: 401 | 403 | 404 };

export const ROLES: readonly Role[] = ['read', 'write', 'admin'];
export const SCOPES: readonly Scope[] = ['repo:read', 'repo:write', 'repo:admin', 'repo:create'];

const RANK: Readonly<Record<Role, number>> = { read: 1, write: 2, admin: 3 };

export function isRole(value: unknown): value is Role {
  return value === 'read' || value === 'write' || value === 'admin';
}

export function isScope(value: unknown): value is Scope {
  return typeof value === 'string' && (SCOPES as readonly string[]).includes(value);
}

/**
 * The `scope` claim of a token as a set. Absent (undefined/null) → null (full rights). A
 * space-separated string or an array of strings → the known repo:* scopes in it; unknown scopes are
 * dropped (so a claim holding only unknown scopes grants no repository role). Anything else is
 * treated as an empty claim, i.e. no rights beyond public reads.
 */
export function parseScopeClaim(claim: unknown): ReadonlySet<Scope> | null {
  if (claim === undefined || claim === null) return null;
  const parts: unknown[] =
    typeof claim === 'string' ? claim.split(/\s+/) : Array.isArray(claim) ? claim : [];
  const scopes = new Set<Scope>();
  for (const part of parts) if (isScope(part)) scopes.add(part);
  return scopes;
}

/** True when `role` is at least `need` (null satisfies nothing). */
export function roleAtLeast(role: Role | null, need: Role): boolean {
  return role !== null && RANK[role] >= RANK[need];
}

/** The higher of two roles (null = none). */
export function maxRole(a: Role | null, b: Role | null): Role | null {
  if (a === null) return b;
  if (b === null) return a;
  return RANK[a] >= RANK[b] ? a : b;
}

/** The lower of two roles (null = none, which wins). */
export function minRole(a: Role | null, b: Role | null): Role | null {
  if (a === null || b === null) return null;
  return RANK[a] <= RANK[b] ? a : b;
}

/** The highest repository role a scope set allows; null scopes = no cap ('admin'). */
export function scopeCeiling(scopes: ReadonlySet<Scope> | null): Role | null {
  if (scopes === null) return 'admin';
  if (scopes.has('repo:admin')) return 'admin';
  if (scopes.has('repo:write')) return 'write';
  if (scopes.has('repo:read')) return 'read';
  return null;
}

/** `role` narrowed by the principal's token scopes. */
export function narrowByScopes(role: Role | null, principal: Principal | null): Role | null {
  if (principal === null) return null;
  return minRole(role, scopeCeiling(principal.scopes));
}

/**
 * Robots are recognised by the flag, and defensively by the `+` that only robot names contain
 * (Quay user names cannot contain `+`).
 */
function isRobotPrincipal(principal: Principal): boolean {
  return principal.isRobot || principal.username.includes('+');
}

/** Superuser rights; a robot is never a superuser, whatever SUPERUSERS says. */
function isSuperuser(principal: Principal): boolean {
  return principal.superuser && !isRobotPrincipal(principal);
}

/** The namespace named after this (non-robot) user, which they own unless it is an organization. */
function ownsUserNamespace(principal: Principal, namespace: string, ns: NamespaceFacts): boolean {
  return (
    !isRobotPrincipal(principal) &&
    principal.username !== '' &&
    principal.username === namespace &&
    ns.kind !== 'organization'
  );
}

/**
 * The principal's role from namespace-level rights, before scopes: 'admin' for a superuser, the
 * owner of a user namespace, or an organization admin; otherwise null. Robots never get one.
 */
export function namespaceRole(
  principal: Principal | null,
  namespace: string,
  ns: NamespaceFacts,
): Role | null {
  if (principal === null || isRobotPrincipal(principal)) return null;
  if (isSuperuser(principal)) return 'admin';
  if (ownsUserNamespace(principal, namespace, ns)) return 'admin';
  if (ns.kind === 'organization' && ns.admins.has(principal.username)) return 'admin';
  return null;
}

function denied(principal: Principal | null): AccessDecision {
  return { allowed: false, status: principal === null ? 401 : 403 };
}

/**
 * May `principal` act with role `need` on `namespace/<repository>`?
 * `repository` null = the repository does not exist; `explicitRole` = the caller's permission row.
 */
export function decideRepositoryAccess(input: {
  principal: Principal | null;
  namespace: string;
  namespaceFacts: NamespaceFacts;
  repository: RepositoryFacts | null;
  explicitRole: Role | null;
  need: Role;
}): AccessDecision {
  const { principal, namespace, namespaceFacts, repository, need } = input;
  const nsRole = narrowByScopes(namespaceRole(principal, namespace, namespaceFacts), principal);

  if (repository === null) {
    // No row: neither an explicit permission nor public visibility can apply. Only rights that do
    // not depend on the row reveal that the repository is missing.
    if (roleAtLeast(nsRole, need)) return { allowed: false, status: 404 };
    return denied(principal);
  }

  const explicit = principal === null ? null : input.explicitRole;
  const role = maxRole(nsRole, narrowByScopes(explicit, principal));
  if (roleAtLeast(role, need)) return { allowed: true, role };
  if (need === 'read' && repository.visibility === 'public') return { allowed: true, role };
  return denied(principal);
}

/**
 * A namespace that has no record is only real for the user it is named after (user namespaces exist
 * implicitly); for anyone else with rights (a superuser) it answers 404.
 */
function namespaceMissingFor(principal: Principal, namespace: string, ns: NamespaceFacts): boolean {
  return ns.kind === 'missing' && !ownsUserNamespace(principal, namespace, ns);
}

/**
 * Organization / user settings endpoints: namespace admin required. A token with a scope claim also
 * needs repo:admin (the only admin-level scope we know).
 */
export function decideNamespaceAdmin(input: {
  principal: Principal | null;
  namespace: string;
  namespaceFacts: NamespaceFacts;
}): AccessDecision {
  const { principal, namespace, namespaceFacts } = input;
  if (principal === null) return denied(principal);
  const role = narrowByScopes(namespaceRole(principal, namespace, namespaceFacts), principal);
  if (!roleAtLeast(role, 'admin')) return denied(principal);
  if (namespaceMissingFor(principal, namespace, namespaceFacts)) return { allowed: false, status: 404 };
  return { allowed: true, role: 'admin' };
}

/**
 * Creating a repository in `namespace`: namespace admin required, and a token with a scope claim
 * must carry repo:create or repo:admin.
 */
export function decideRepositoryCreate(input: {
  principal: Principal | null;
  namespace: string;
  namespaceFacts: NamespaceFacts;
}): AccessDecision {
  const { principal, namespace, namespaceFacts } = input;
  if (principal === null) return denied(principal);
  if (!roleAtLeast(namespaceRole(principal, namespace, namespaceFacts), 'admin')) {
    return denied(principal);
  }
  const scopes = principal.scopes;
  if (scopes !== null && !scopes.has('repo:create') && !scopes.has('repo:admin')) {
    return denied(principal);
  }
  if (namespaceMissingFor(principal, namespace, namespaceFacts)) return { allowed: false, status: 404 };
  return { allowed: true, role: 'admin' };
}
