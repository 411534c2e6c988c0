/**
 * The fuzz suite's world: Quay's fixtures (test/support/fixtures.ts) plus what hostile requests
 * should hit: a robot with a grant, a manifest list, a deleted tag, a tag with an expiration and a
 * moved tag (history), so mutations and refusals meet real state. The generators draw names, tags,
 * digests and tokens from here.
 */
import { SignJWT } from 'jose';
import { expect } from 'vitest';
import { createRepository, grant, push, seedQuayFixtures } from '../support/fixtures.js';
import type { TestServer } from '../support/local-server.js';
import { imageManifest, manifestList, type BuiltManifest } from '../support/manifests.js';

export interface WorldRepository {
  ns: string;
  name: string;
  /** A token with admin rights on it (its namespace's owner or organization admin). */
  adminToken: string;
  tags: string[];
  digests: string[];
  isPublic: boolean;
}

export interface World {
  server: TestServer;
  repositories: WorldRepository[];
  namespaces: string[];
  organizations: string[];
  users: string[];
  robots: string[];
  /** Tokens of real principals: the ones that can mutate. */
  tokens: Record<string, string>;
  allDigests: string[];
  allTags: string[];
  /** Valid next_page cursors the fixture produced (list-tags and logs), for forging. */
  cursors: string[];
  /** `starttime=...&endtime=...` around the fixture, so log read-backs do not move with the clock. */
  logWindow: string;
  repository(ns: string, name: string): WorldRepository | undefined;
  namespaceAdmin(namespace: string): string | undefined;
  isOrganization(namespace: string): boolean;
}

export const LOCAL_SECRET = new TextEncoder().encode(process.env.AUTH_JWT_SECRET ?? 'local-dev-secret');

/** A local HS256 token with exactly these claims (no defaults added). */
export function signClaims(claims: Record<string, unknown>, secret: Uint8Array = LOCAL_SECRET): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(secret);
}

export async function buildWorld(server: TestServer): Promise<World> {
  const { tokens: quay, manifests } = await seedQuayFixtures(server);
  const devtable = quay.devtable;

  // A manifest list whose children were pushed by digest, a robot with grants, history: one chain
  // of requests per repository, the chains side by side (they touch no common item).
  const amd = imageManifest({ layerCount: 1 });
  const arm = imageManifest({ layerCount: 2 });
  const simple = async () => {
    await push(server, devtable, 'devtable/simple', amd.digest, amd);
    await push(server, devtable, 'devtable/simple', arm.digest, arm);
    const pushed = await push(server, devtable, 'devtable/simple', 'multi', manifestList([amd, arm]));
    await grant(server, devtable, 'devtable/simple', 'devtable+ci', 'write');
    return pushed;
  };
  const history = async () => {
    await grant(server, devtable, 'devtable/history', 'devtable+ci', 'read');
    await push(server, devtable, 'devtable/history', 'gone', imageManifest());
    const deleted = await server.api('DELETE', '/api/v1/repository/devtable/history/tag/gone', { token: devtable });
    expect(deleted.status, deleted.text).toBe(204);
    const expiring = await server.api('PUT', '/api/v1/repository/devtable/history/tag/latest', {
      token: devtable,
      body: { expiration: Math.floor(Date.now() / 1000) + 30 * 86_400 },
    });
    expect(expiring.status, expiring.text).toBe(201);
  };
  const moveProd = async () => {
    const moved = await server.api('PUT', '/api/v1/repository/buynlarge/orgrepo/tag/prod', {
      token: devtable,
      body: { manifest_digest: manifests.orgLatest.digest },
    });
    expect(moved.status, moved.text).toBe(201);
  };
  const [list, , , , robotToken] = await Promise.all([
    simple(),
    history(),
    moveProd(),
    createRepository(server, quay.public, 'public', 'emptyrepo', { visibility: 'public' }),
    server.tokenFor('devtable+ci'),
  ]);

  const tokens: Record<string, string> = {
    devtable,
    public: quay.public,
    reader: quay.reader,
    freshuser: quay.freshuser,
    'devtable+ci': robotToken,
  };

  const digestsOf = (...built: (BuiltManifest | undefined)[]) => built.filter((m): m is BuiltManifest => !!m).map((m) => m.digest);
  const repositories: WorldRepository[] = [
    { ns: 'devtable', name: 'simple', adminToken: devtable, tags: ['latest', 'prod', 'multi'], digests: digestsOf(manifests.simpleLatest, manifests.simpleProd, list, amd, arm), isPublic: false },
    { ns: 'devtable', name: 'history', adminToken: devtable, tags: ['latest', 'gone'], digests: digestsOf(manifests.historyA, manifests.historyB), isPublic: false },
    { ns: 'devtable', name: 'complex', adminToken: devtable, tags: ['v2.0', 'staging', 'prod'], digests: digestsOf(manifests.complexV2, manifests.complexStaging, manifests.complexProd), isPublic: false },
    { ns: 'devtable', name: 'gargantuan', adminToken: devtable, tags: ['v2.0', 'staging', 'latest', 'prod', 'v3.0'], digests: [], isPublic: false },
    { ns: 'devtable', name: 'shared', adminToken: devtable, tags: ['latest'], digests: digestsOf(manifests.sharedLatest), isPublic: false },
    { ns: 'devtable', name: 'someapprepo', adminToken: devtable, tags: [], digests: [], isPublic: false },
    { ns: 'public', name: 'publicrepo', adminToken: quay.public, tags: ['latest'], digests: digestsOf(manifests.publicLatest), isPublic: true },
    { ns: 'public', name: 'emptyrepo', adminToken: quay.public, tags: [], digests: [], isPublic: true },
    { ns: 'buynlarge', name: 'orgrepo', adminToken: devtable, tags: ['latest', 'prod'], digests: digestsOf(manifests.orgLatest, manifests.orgProd), isPublic: false },
  ];

  // Real cursors to forge from: a tag-history page and a log page.
  const cursors: string[] = [];
  const page = await server.api('GET', '/api/v1/repository/devtable/gargantuan/tag/?limit=2', { token: devtable });
  if (page.body?.next_page) cursors.push(page.body.next_page);
  await server.flushAudit();
  const logs = await server.api('GET', '/api/v1/user/logs', { token: devtable });
  if (logs.body?.next_page) cursors.push(logs.body.next_page);

  const day = 86_400_000;
  const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const now = Date.now();
  const organizations = ['buynlarge'];
  const namespaceAdmins: Record<string, string> = { devtable, public: quay.public, buynlarge: devtable, reader: quay.reader, freshuser: quay.freshuser };
  return {
    server,
    repositories,
    namespaces: ['devtable', 'public', 'buynlarge', 'reader', 'freshuser'],
    organizations,
    users: ['devtable', 'public', 'reader', 'freshuser'],
    robots: ['devtable+ci'],
    tokens,
    allDigests: [...new Set(repositories.flatMap((repo) => repo.digests))],
    allTags: [...new Set(repositories.flatMap((repo) => repo.tags))],
    cursors,
    logWindow: `starttime=${iso(now - day)}&endtime=${iso(now + 3 * day)}`,
    repository: (ns, name) => repositories.find((repo) => repo.ns === ns && repo.name === name),
    namespaceAdmin: (namespace) => namespaceAdmins[namespace],
    isOrganization: (namespace) => organizations.includes(namespace),
  };
}
