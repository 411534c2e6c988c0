import { describe, it, expect } from 'vitest';
import {
  decideNamespaceAdmin,
  decideRepositoryAccess,
  decideRepositoryCreate,
  namespaceRole,
  parseScopeClaim,
  roleAtLeast,
} from '../../shared/domain/permissions.js';
import type {
  AccessDecision,
  NamespaceFacts,
  Principal,
  RepositoryFacts,
  Role,
  Scope,
} from '../../shared/domain/permissions.js';

// ---------------------------------------------------------------------------------------------
// Fixtures (Quay's initdb, reference §8.1)
// ---------------------------------------------------------------------------------------------

function user(username: string, opts: { scopes?: Scope[]; superuser?: boolean } = {}): Principal {
  return {
    username,
    isRobot: false,
    superuser: opts.superuser ?? false,
    scopes: opts.scopes === undefined ? null : new Set(opts.scopes),
  };
}

function robot(username: string, opts: { scopes?: Scope[]; superuser?: boolean } = {}): Principal {
  return { ...user(username, opts), isRobot: true };
}

const USER_NS: NamespaceFacts = { kind: 'user', admins: new Set() };
const MISSING_NS: NamespaceFacts = { kind: 'missing', admins: new Set() };
const BUYNLARGE: NamespaceFacts = { kind: 'organization', admins: new Set(['devtable']) };

const PUBLIC: RepositoryFacts = { visibility: 'public' };
const PRIVATE: RepositoryFacts = { visibility: 'private' };

/** Expected outcome: 'A:<role>' = allowed with that effective role ('A:-' = role null); else a status. */
type Expect = 'A:-' | 'A:read' | 'A:write' | 'A:admin' | 401 | 403 | 404;

function outcome(decision: AccessDecision): Expect {
  if (decision.allowed) return decision.role === null ? 'A:-' : (`A:${decision.role}` as Expect);
  return decision.status;
}

// ---------------------------------------------------------------------------------------------
// The matrix: principal kind × repository state × need, each cell written out by hand.
// Columns in each row: [read, write, admin].
// ---------------------------------------------------------------------------------------------

interface MatrixRow {
  kind: string;
  principal: Principal | null;
  namespace: string;
  namespaceFacts: NamespaceFacts;
  explicitRole: Role | null;
  public: [Expect, Expect, Expect];
  private: [Expect, Expect, Expect];
  missing: [Expect, Expect, Expect];
}

const MATRIX: MatrixRow[] = [
  {
    kind: 'anonymous',
    principal: null,
    namespace: 'devtable',
    namespaceFacts: USER_NS,
    explicitRole: null,
    public: ['A:-', 401, 401],
    private: [401, 401, 401],
    missing: [401, 401, 401],
  },
  {
    kind: 'reader (explicit read)',
    principal: user('reader'),
    namespace: 'devtable',
    namespaceFacts: USER_NS,
    explicitRole: 'read',
    public: ['A:read', 403, 403],
    private: ['A:read', 403, 403],
    missing: [403, 403, 403],
  },
  {
    kind: 'writer (explicit write)',
    principal: user('public'),
    namespace: 'devtable',
    namespaceFacts: USER_NS,
    explicitRole: 'write',
    public: ['A:write', 'A:write', 403],
    private: ['A:write', 'A:write', 403],
    missing: [403, 403, 403],
  },
  {
    kind: 'explicit admin',
    principal: user('repoadmin'),
    namespace: 'devtable',
    namespaceFacts: USER_NS,
    explicitRole: 'admin',
    public: ['A:admin', 'A:admin', 'A:admin'],
    private: ['A:admin', 'A:admin', 'A:admin'],
    missing: [403, 403, 403],
  },
  {
    kind: 'repo-owner user (namespace = username)',
    principal: user('devtable'),
    namespace: 'devtable',
    namespaceFacts: USER_NS,
    explicitRole: null,
    public: ['A:admin', 'A:admin', 'A:admin'],
    private: ['A:admin', 'A:admin', 'A:admin'],
    missing: [404, 404, 404],
  },
  {
    kind: 'org admin',
    principal: user('devtable'),
    namespace: 'buynlarge',
    namespaceFacts: BUYNLARGE,
    explicitRole: null,
    public: ['A:admin', 'A:admin', 'A:admin'],
    private: ['A:admin', 'A:admin', 'A:admin'],
    missing: [404, 404, 404],
  },
  {
    kind: 'superuser',
    principal: user('root', { superuser: true }),
    namespace: 'devtable',
    namespaceFacts: USER_NS,
    explicitRole: null,
    public: ['A:admin', 'A:admin', 'A:admin'],
    private: ['A:admin', 'A:admin', 'A:admin'],
    missing: [404, 404, 404],
  },
  {
    kind: 'robot with explicit write',
    principal: robot('devtable+deploy'),
    namespace: 'devtable',
    namespaceFacts: USER_NS,
    explicitRole: 'write',
    public: ['A:write', 'A:write', 403],
    private: ['A:write', 'A:write', 403],
    missing: [403, 403, 403],
  },
  {
    kind: "owner with token scope 'repo:read'",
    principal: user('devtable', { scopes: ['repo:read'] }),
    namespace: 'devtable',
    namespaceFacts: USER_NS,
    explicitRole: null,
    public: ['A:read', 403, 403],
    private: ['A:read', 403, 403],
    missing: [404, 403, 403],
  },
  {
    kind: "owner with token scope 'repo:write'",
    principal: user('devtable', { scopes: ['repo:write'] }),
    namespace: 'devtable',
    namespaceFacts: USER_NS,
    explicitRole: null,
    public: ['A:write', 'A:write', 403],
    private: ['A:write', 'A:write', 403],
    missing: [404, 404, 403],
  },
  {
    kind: "explicit admin with token scope 'repo:read'",
    principal: user('repoadmin', { scopes: ['repo:read'] }),
    namespace: 'devtable',
    namespaceFacts: USER_NS,
    explicitRole: 'admin',
    public: ['A:read', 403, 403],
    private: ['A:read', 403, 403],
    missing: [403, 403, 403],
  },
  // Extra rows beyond the required kinds.
  {
    kind: 'user with no access (freshuser)',
    principal: user('freshuser'),
    namespace: 'devtable',
    namespaceFacts: USER_NS,
    explicitRole: null,
    public: ['A:-', 403, 403],
    private: [403, 403, 403],
    missing: [403, 403, 403],
  },
  {
    kind: "superuser with token scope 'repo:read'",
    principal: user('root', { superuser: true, scopes: ['repo:read'] }),
    namespace: 'devtable',
    namespaceFacts: USER_NS,
    explicitRole: null,
    public: ['A:read', 403, 403],
    private: ['A:read', 403, 403],
    missing: [404, 403, 403],
  },
  {
    kind: "owner with only 'repo:create'",
    principal: user('devtable', { scopes: ['repo:create'] }),
    namespace: 'devtable',
    namespaceFacts: USER_NS,
    explicitRole: null,
    public: ['A:-', 403, 403],
    private: [403, 403, 403],
    missing: [403, 403, 403],
  },
  {
    kind: 'owner with an empty scope claim',
    principal: user('devtable', { scopes: [] }),
    namespace: 'devtable',
    namespaceFacts: USER_NS,
    explicitRole: null,
    public: ['A:-', 403, 403],
    private: [403, 403, 403],
    missing: [403, 403, 403],
  },
  {
    kind: "owner with 'repo:admin'",
    principal: user('devtable', { scopes: ['repo:admin'] }),
    namespace: 'devtable',
    namespaceFacts: USER_NS,
    explicitRole: null,
    public: ['A:admin', 'A:admin', 'A:admin'],
    private: ['A:admin', 'A:admin', 'A:admin'],
    missing: [404, 404, 404],
  },
  {
    kind: "explicit write with 'repo:read repo:admin' (cap is admin, role stays write)",
    principal: user('public', { scopes: ['repo:read', 'repo:admin'] }),
    namespace: 'devtable',
    namespaceFacts: USER_NS,
    explicitRole: 'write',
    public: ['A:write', 'A:write', 403],
    private: ['A:write', 'A:write', 403],
    missing: [403, 403, 403],
  },
  {
    kind: 'user named like an org, not its admin',
    principal: user('alice'),
    namespace: 'alice',
    namespaceFacts: { kind: 'organization', admins: new Set(['bob']) },
    explicitRole: null,
    public: ['A:-', 403, 403],
    private: [403, 403, 403],
    missing: [403, 403, 403],
  },
  {
    kind: 'owner of a namespace with no record (user namespaces exist implicitly)',
    principal: user('freshuser'),
    namespace: 'freshuser',
    namespaceFacts: MISSING_NS,
    explicitRole: null,
    public: ['A:admin', 'A:admin', 'A:admin'],
    private: ['A:admin', 'A:admin', 'A:admin'],
    missing: [404, 404, 404],
  },
  {
    kind: 'robot listed in SUPERUSERS and in the org admins (never elevated)',
    principal: robot('buynlarge+ci', { superuser: true }),
    namespace: 'buynlarge',
    namespaceFacts: { kind: 'organization', admins: new Set(['devtable', 'buynlarge+ci']) },
    explicitRole: 'read',
    public: ['A:read', 403, 403],
    private: ['A:read', 403, 403],
    missing: [403, 403, 403],
  },
];

const NEEDS: Role[] = ['read', 'write', 'admin'];
const STATES = [
  { name: 'public', repository: PUBLIC },
  { name: 'private', repository: PRIVATE },
  { name: 'missing', repository: null },
] as const;

describe('decideRepositoryAccess: principal × repository × need matrix', () => {
  const cases = MATRIX.flatMap((row) =>
    STATES.flatMap((state) =>
      NEEDS.map((need, i) => ({
        title: `${row.kind} / ${state.name} / need ${need} → ${String(row[state.name][i])}`,
        row,
        repository: state.repository,
        need,
        expected: row[state.name][i] as Expect,
      })),
    ),
  );

  it.each(cases)('$title', ({ row, repository, need, expected }) => {
    const decision = decideRepositoryAccess({
      principal: row.principal,
      namespace: row.namespace,
      namespaceFacts: row.namespaceFacts,
      repository,
      // There is no permission row for a repository that does not exist.
      explicitRole: repository === null ? null : row.explicitRole,
      need,
    });
    expect(outcome(decision)).toBe(expected);
  });
});

describe('decideRepositoryAccess: edge cases', () => {
  it('a stale explicit role on a missing repository never reveals it (403, not 404)', () => {
    for (const need of NEEDS) {
      const d = decideRepositoryAccess({
        principal: user('repoadmin'),
        namespace: 'devtable',
        namespaceFacts: USER_NS,
        repository: null,
        explicitRole: 'admin',
        need,
      });
      expect(d).toEqual({ allowed: false, status: 403 });
    }
  });

  it('an explicit role passed with an anonymous principal is ignored', () => {
    const d = decideRepositoryAccess({
      principal: null,
      namespace: 'devtable',
      namespaceFacts: USER_NS,
      repository: PRIVATE,
      explicitRole: 'admin',
      need: 'read',
    });
    expect(d).toEqual({ allowed: false, status: 401 });
  });

  it('a superuser on a missing repository in a missing namespace gets 404', () => {
    const d = decideRepositoryAccess({
      principal: user('root', { superuser: true }),
      namespace: 'ghost',
      namespaceFacts: MISSING_NS,
      repository: null,
      explicitRole: null,
      need: 'write',
    });
    expect(d).toEqual({ allowed: false, status: 404 });
  });

  it('another user on a missing repository in a missing namespace gets 403, anonymous 401', () => {
    const base = {
      namespace: 'ghost',
      namespaceFacts: MISSING_NS,
      repository: null,
      explicitRole: null,
      need: 'read' as const,
    };
    expect(decideRepositoryAccess({ ...base, principal: user('freshuser') })).toEqual({
      allowed: false,
      status: 403,
    });
    expect(decideRepositoryAccess({ ...base, principal: null })).toEqual({
      allowed: false,
      status: 401,
    });
  });

  it('a robot whose name equals the namespace is not its owner', () => {
    const d = decideRepositoryAccess({
      principal: robot('devtable'),
      namespace: 'devtable',
      namespaceFacts: USER_NS,
      repository: PRIVATE,
      explicitRole: null,
      need: 'read',
    });
    expect(d).toEqual({ allowed: false, status: 403 });
  });
});

// ---------------------------------------------------------------------------------------------
// Quay's test_security.py (reference §8.4), mapped to our fixtures. 'ok' = the permission check
// passes (Quay then answers 200 for list, or 404/400 because tag TN96/HP8R or image WXNG does not
// exist). Columns: anon / devtable / freshuser / reader.
// ---------------------------------------------------------------------------------------------

type SecExpect = 'ok' | 401 | 403 | 404;
type Caller = 'anon' | 'devtable' | 'freshuser' | 'reader';

interface SecRepo {
  namespace: string;
  namespaceFacts: NamespaceFacts;
  repository: RepositoryFacts | null;
  explicit: Partial<Record<Caller, Role>>;
}

const SEC_REPOS: Record<string, SecRepo> = {
  'public/publicrepo': {
    namespace: 'public',
    namespaceFacts: USER_NS,
    repository: PUBLIC,
    explicit: {},
  },
  'devtable/shared': {
    namespace: 'devtable',
    namespaceFacts: USER_NS,
    repository: PRIVATE,
    explicit: { reader: 'read' },
  },
  'buynlarge/orgrepo': {
    namespace: 'buynlarge',
    namespaceFacts: BUYNLARGE,
    repository: PRIVATE,
    explicit: { reader: 'read' }, // via a team
  },
  'devtable/nonexistent': {
    namespace: 'devtable',
    namespaceFacts: USER_NS,
    repository: null,
    explicit: {},
  },
  'buynlarge/nonexistent': {
    namespace: 'buynlarge',
    namespaceFacts: BUYNLARGE,
    repository: null,
    explicit: {},
  },
};

const ENDPOINT_NEED: Record<string, Role> = {
  'List GET': 'read',
  '/images GET': 'read',
  'Restore POST': 'write',
  'Tag DELETE': 'write',
  'Tag PUT': 'write',
  '/expire POST': 'write',
};

type Row4 = [SecExpect, SecExpect, SecExpect, SecExpect];

/** [L] semantics (devtable is not a superuser). */
const SECURITY_L: Record<string, Record<string, Row4>> = {
  'List GET': {
    'public/publicrepo': ['ok', 'ok', 'ok', 'ok'],
    'devtable/shared': [401, 'ok', 403, 'ok'],
    'buynlarge/orgrepo': [401, 'ok', 403, 'ok'],
    'devtable/nonexistent': [401, 404, 403, 403],
    'buynlarge/nonexistent': [401, 404, 403, 403],
  },
  '/images GET': {
    'public/publicrepo': ['ok', 'ok', 'ok', 'ok'],
    'devtable/shared': [401, 'ok', 403, 'ok'],
    'buynlarge/orgrepo': [401, 'ok', 403, 'ok'],
  },
  'Restore POST': {
    'public/publicrepo': [401, 403, 403, 403],
    'devtable/shared': [401, 'ok', 403, 403],
    'buynlarge/orgrepo': [401, 'ok', 403, 403],
    'devtable/nonexistent': [401, 404, 403, 403],
  },
  'Tag DELETE': {
    'public/publicrepo': [401, 403, 403, 403],
    'devtable/shared': [401, 'ok', 403, 403],
    'buynlarge/orgrepo': [401, 'ok', 403, 403],
    'buynlarge/nonexistent': [401, 404, 403, 403],
  },
  'Tag PUT': {
    'public/publicrepo': [401, 403, 403, 403],
    'devtable/shared': [401, 'ok', 403, 403],
    'buynlarge/orgrepo': [401, 'ok', 403, 403],
  },
  '/expire POST': {
    'public/publicrepo': [401, 403, 403, 403],
    'devtable/shared': [401, 'ok', 403, 403],
    'buynlarge/orgrepo': [401, 'ok', 403, 403],
  },
};

/** [H] with devtable as a full-access superuser: only public/publicrepo writes change (→ ok). */
const SECURITY_H_PUBLIC: Record<string, Record<string, Row4>> = {
  'List GET': { 'public/publicrepo': ['ok', 'ok', 'ok', 'ok'] },
  'Restore POST': { 'public/publicrepo': [401, 'ok', 403, 403] },
  'Tag DELETE': { 'public/publicrepo': [401, 'ok', 403, 403] },
  'Tag PUT': { 'public/publicrepo': [401, 'ok', 403, 403] },
  '/expire POST': { 'public/publicrepo': [401, 'ok', 403, 403] },
};

const CALLERS: Caller[] = ['anon', 'devtable', 'freshuser', 'reader'];

function callerPrincipal(caller: Caller, devtableSuperuser: boolean): Principal | null {
  if (caller === 'anon') return null;
  return user(caller, { superuser: caller === 'devtable' && devtableSuperuser });
}

function secOutcome(d: AccessDecision): SecExpect {
  return d.allowed ? 'ok' : d.status;
}

function securityCases(
  table: Record<string, Record<string, Row4>>,
  devtableSuperuser: boolean,
): { title: string; endpoint: string; repo: string; caller: Caller; expected: SecExpect; su: boolean }[] {
  return Object.entries(table).flatMap(([endpoint, repos]) =>
    Object.entries(repos).flatMap(([repo, row]) =>
      CALLERS.map((caller, i) => ({
        title: `${endpoint} ${repo} as ${caller} → ${String(row[i])}`,
        endpoint,
        repo,
        caller,
        expected: row[i] as SecExpect,
        su: devtableSuperuser,
      })),
    ),
  );
}

describe('Quay test_security.py (§8.4) mapped to our fixtures', () => {
  const cases = [
    ...securityCases(SECURITY_L, false),
    ...securityCases(SECURITY_H_PUBLIC, true),
  ];

  it.each(cases)('$title (devtable superuser: $su)', ({ endpoint, repo, caller, expected, su }) => {
    const facts = SEC_REPOS[repo];
    const d = decideRepositoryAccess({
      principal: callerPrincipal(caller, su),
      namespace: facts.namespace,
      namespaceFacts: facts.namespaceFacts,
      repository: facts.repository,
      explicitRole: caller === 'anon' ? null : (facts.explicit[caller] ?? null),
      need: ENDPOINT_NEED[endpoint],
    });
    expect(secOutcome(d)).toBe(expected);
  });

  it('§8.2: public (write, not admin) cannot do admin-level changes on devtable/shared', () => {
    const d = decideRepositoryAccess({
      principal: user('public'),
      namespace: 'devtable',
      namespaceFacts: USER_NS,
      repository: PRIVATE,
      explicitRole: 'write',
      need: 'admin',
    });
    expect(d).toEqual({ allowed: false, status: 403 });
  });
});

// ---------------------------------------------------------------------------------------------
// decideNamespaceAdmin / decideRepositoryCreate
// ---------------------------------------------------------------------------------------------

interface NsCase {
  title: string;
  principal: Principal | null;
  namespace: string;
  facts: NamespaceFacts;
  expected: Expect;
}

const ALICE_ORG: NamespaceFacts = { kind: 'organization', admins: new Set(['bob']) };
const ROBOT_IN_ADMINS: NamespaceFacts = {
  kind: 'organization',
  admins: new Set(['devtable', 'buynlarge+ci']),
};

const NAMESPACE_ADMIN_CASES: NsCase[] = [
  { title: 'anonymous', principal: null, namespace: 'devtable', facts: USER_NS, expected: 401 },
  { title: 'anonymous, missing namespace', principal: null, namespace: 'ghost', facts: MISSING_NS, expected: 401 },
  { title: 'owner of own user namespace', principal: user('devtable'), namespace: 'devtable', facts: USER_NS, expected: 'A:admin' },
  { title: 'owner of own namespace without a record', principal: user('devtable'), namespace: 'devtable', facts: MISSING_NS, expected: 'A:admin' },
  { title: 'org admin', principal: user('devtable'), namespace: 'buynlarge', facts: BUYNLARGE, expected: 'A:admin' },
  { title: 'org member without admin (reader)', principal: user('reader'), namespace: 'buynlarge', facts: BUYNLARGE, expected: 403 },
  { title: "another user's namespace", principal: user('freshuser'), namespace: 'devtable', facts: USER_NS, expected: 403 },
  { title: 'admins set is ignored for user namespaces', principal: user('freshuser'), namespace: 'devtable', facts: { kind: 'user', admins: new Set(['freshuser']) }, expected: 403 },
  { title: 'robot in its own namespace', principal: robot('devtable+deploy'), namespace: 'devtable', facts: USER_NS, expected: 403 },
  { title: 'robot whose name equals the namespace', principal: robot('devtable'), namespace: 'devtable', facts: USER_NS, expected: 403 },
  { title: 'robot listed in org admins', principal: robot('buynlarge+ci'), namespace: 'buynlarge', facts: ROBOT_IN_ADMINS, expected: 403 },
  { title: 'robot flagged superuser', principal: robot('devtable+deploy', { superuser: true }), namespace: 'devtable', facts: USER_NS, expected: 403 },
  { title: 'name with + but isRobot false is treated as a robot', principal: user('devtable+deploy'), namespace: 'devtable', facts: USER_NS, expected: 403 },
  { title: 'org named like a user: that user is not admin', principal: user('alice'), namespace: 'alice', facts: ALICE_ORG, expected: 403 },
  { title: 'org named like a user: its real admin is', principal: user('bob'), namespace: 'alice', facts: ALICE_ORG, expected: 'A:admin' },
  { title: 'superuser on any namespace', principal: user('root', { superuser: true }), namespace: 'devtable', facts: USER_NS, expected: 'A:admin' },
  { title: 'superuser on an org', principal: user('root', { superuser: true }), namespace: 'buynlarge', facts: BUYNLARGE, expected: 'A:admin' },
  { title: 'superuser on a missing namespace', principal: user('root', { superuser: true }), namespace: 'ghost', facts: MISSING_NS, expected: 404 },
  { title: 'plain user on a missing namespace', principal: user('freshuser'), namespace: 'ghost', facts: MISSING_NS, expected: 403 },
  { title: 'owner, scope repo:read', principal: user('devtable', { scopes: ['repo:read'] }), namespace: 'devtable', facts: USER_NS, expected: 403 },
  { title: 'owner, scope repo:write', principal: user('devtable', { scopes: ['repo:write'] }), namespace: 'devtable', facts: USER_NS, expected: 403 },
  { title: 'owner, scope repo:create', principal: user('devtable', { scopes: ['repo:create'] }), namespace: 'devtable', facts: USER_NS, expected: 403 },
  { title: 'owner, scope repo:admin', principal: user('devtable', { scopes: ['repo:admin'] }), namespace: 'devtable', facts: USER_NS, expected: 'A:admin' },
  { title: 'org admin, empty scope claim', principal: user('devtable', { scopes: [] }), namespace: 'buynlarge', facts: BUYNLARGE, expected: 403 },
  { title: 'superuser, scope repo:read', principal: user('root', { superuser: true, scopes: ['repo:read'] }), namespace: 'devtable', facts: USER_NS, expected: 403 },
  { title: 'non-admin, scope repo:admin', principal: user('freshuser', { scopes: ['repo:admin'] }), namespace: 'devtable', facts: USER_NS, expected: 403 },
];

describe('decideNamespaceAdmin', () => {
  it.each(NAMESPACE_ADMIN_CASES)('$title → $expected', ({ principal, namespace, facts, expected }) => {
    expect(outcome(decideNamespaceAdmin({ principal, namespace, namespaceFacts: facts }))).toBe(expected);
  });
});

const CREATE_CASES: NsCase[] = [
  { title: 'anonymous', principal: null, namespace: 'devtable', facts: USER_NS, expected: 401 },
  { title: 'anonymous, missing namespace', principal: null, namespace: 'ghost', facts: MISSING_NS, expected: 401 },
  { title: 'owner, no scope claim', principal: user('devtable'), namespace: 'devtable', facts: USER_NS, expected: 'A:admin' },
  { title: 'owner of own namespace without a record', principal: user('freshuser'), namespace: 'freshuser', facts: MISSING_NS, expected: 'A:admin' },
  { title: 'org admin', principal: user('devtable'), namespace: 'buynlarge', facts: BUYNLARGE, expected: 'A:admin' },
  { title: 'org member without admin (reader)', principal: user('reader'), namespace: 'buynlarge', facts: BUYNLARGE, expected: 403 },
  { title: "another user's namespace", principal: user('freshuser'), namespace: 'devtable', facts: USER_NS, expected: 403 },
  { title: 'robot in its own namespace', principal: robot('devtable+deploy'), namespace: 'devtable', facts: USER_NS, expected: 403 },
  { title: 'robot with repo:create in its own namespace', principal: robot('devtable+deploy', { scopes: ['repo:create'] }), namespace: 'devtable', facts: USER_NS, expected: 403 },
  { title: 'robot listed in org admins', principal: robot('buynlarge+ci'), namespace: 'buynlarge', facts: ROBOT_IN_ADMINS, expected: 403 },
  { title: 'org named like a user: that user cannot create', principal: user('alice'), namespace: 'alice', facts: ALICE_ORG, expected: 403 },
  { title: 'org named like a user: its admin can', principal: user('bob'), namespace: 'alice', facts: ALICE_ORG, expected: 'A:admin' },
  { title: 'owner, scope repo:create', principal: user('devtable', { scopes: ['repo:create'] }), namespace: 'devtable', facts: USER_NS, expected: 'A:admin' },
  { title: 'owner, scope repo:admin', principal: user('devtable', { scopes: ['repo:admin'] }), namespace: 'devtable', facts: USER_NS, expected: 'A:admin' },
  { title: 'owner, scope repo:read', principal: user('devtable', { scopes: ['repo:read'] }), namespace: 'devtable', facts: USER_NS, expected: 403 },
  { title: 'owner, scope repo:write', principal: user('devtable', { scopes: ['repo:write'] }), namespace: 'devtable', facts: USER_NS, expected: 403 },
  { title: 'owner, scopes repo:read repo:write', principal: user('devtable', { scopes: ['repo:read', 'repo:write'] }), namespace: 'devtable', facts: USER_NS, expected: 403 },
  { title: 'owner, empty scope claim', principal: user('devtable', { scopes: [] }), namespace: 'devtable', facts: USER_NS, expected: 403 },
  { title: 'org admin, scope repo:create', principal: user('devtable', { scopes: ['repo:create'] }), namespace: 'buynlarge', facts: BUYNLARGE, expected: 'A:admin' },
  { title: 'non-admin with repo:create', principal: user('freshuser', { scopes: ['repo:create'] }), namespace: 'devtable', facts: USER_NS, expected: 403 },
  { title: 'superuser', principal: user('root', { superuser: true }), namespace: 'devtable', facts: USER_NS, expected: 'A:admin' },
  { title: 'superuser, scope repo:read', principal: user('root', { superuser: true, scopes: ['repo:read'] }), namespace: 'devtable', facts: USER_NS, expected: 403 },
  { title: 'superuser, missing namespace', principal: user('root', { superuser: true }), namespace: 'ghost', facts: MISSING_NS, expected: 404 },
  { title: 'plain user, missing namespace', principal: user('freshuser'), namespace: 'ghost', facts: MISSING_NS, expected: 403 },
];

describe('decideRepositoryCreate', () => {
  it.each(CREATE_CASES)('$title → $expected', ({ principal, namespace, facts, expected }) => {
    expect(outcome(decideRepositoryCreate({ principal, namespace, namespaceFacts: facts }))).toBe(expected);
  });
});

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

describe('roleAtLeast', () => {
  const TABLE: [Role | null, Role, boolean][] = [
    [null, 'read', false],
    [null, 'write', false],
    [null, 'admin', false],
    ['read', 'read', true],
    ['read', 'write', false],
    ['read', 'admin', false],
    ['write', 'read', true],
    ['write', 'write', true],
    ['write', 'admin', false],
    ['admin', 'read', true],
    ['admin', 'write', true],
    ['admin', 'admin', true],
  ];
  it.each(TABLE)('roleAtLeast(%s, %s) = %s', (role, need, expected) => {
    expect(roleAtLeast(role, need)).toBe(expected);
  });
});

describe('namespaceRole (before scopes)', () => {
  const TABLE: [string, Principal | null, string, NamespaceFacts, Role | null][] = [
    ['anonymous', null, 'devtable', USER_NS, null],
    ['owner', user('devtable'), 'devtable', USER_NS, 'admin'],
    ['owner, scopes do not apply here', user('devtable', { scopes: [] }), 'devtable', USER_NS, 'admin'],
    ['owner, missing record', user('devtable'), 'devtable', MISSING_NS, 'admin'],
    ['other user', user('freshuser'), 'devtable', USER_NS, null],
    ['org admin', user('devtable'), 'buynlarge', BUYNLARGE, 'admin'],
    ['org non-admin', user('reader'), 'buynlarge', BUYNLARGE, null],
    ['org named like the user', user('alice'), 'alice', ALICE_ORG, null],
    ['robot', robot('devtable+deploy'), 'devtable', USER_NS, null],
    ['robot in admins', robot('buynlarge+ci'), 'buynlarge', ROBOT_IN_ADMINS, null],
    ['superuser', user('root', { superuser: true }), 'buynlarge', BUYNLARGE, 'admin'],
    ['robot flagged superuser', robot('x+y', { superuser: true }), 'x', USER_NS, null],
  ];
  it.each(TABLE)('%s', (_title, principal, namespace, facts, expected) => {
    expect(namespaceRole(principal, namespace, facts)).toBe(expected);
  });
});

describe('parseScopeClaim', () => {
  const sorted = (s: ReadonlySet<Scope> | null): Scope[] | null => (s === null ? null : [...s].sort());
  it('absent claim → null (full rights)', () => {
    expect(parseScopeClaim(undefined)).toBeNull();
    expect(parseScopeClaim(null)).toBeNull();
  });
  it('space-separated string', () => {
    expect(sorted(parseScopeClaim('repo:read  repo:write'))).toEqual(['repo:read', 'repo:write']);
  });
  it('array of strings', () => {
    expect(sorted(parseScopeClaim(['repo:admin', 'repo:create']))).toEqual(['repo:admin', 'repo:create']);
  });
  it('unknown scopes are dropped, leaving an empty (no-rights) set', () => {
    expect(sorted(parseScopeClaim('org:admin user:read'))).toEqual([]);
    expect(sorted(parseScopeClaim(''))).toEqual([]);
    expect(sorted(parseScopeClaim(42))).toEqual([]);
  });
});
