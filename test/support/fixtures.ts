/**
 * Quay's test fixtures (quay-tag-api.md §8.1), rebuilt through our own API: organizations,
 * repositories, grants and manifests pushed over /v2, so every e2e test starts from real data.
 */
import { expect } from 'vitest';
import { imageManifest } from './manifests.js';
import type { BuiltManifest } from './manifests.js';
import type { TestServer } from './local-server.js';

export async function createRepository(
  server: TestServer,
  token: string,
  namespace: string,
  repository: string,
  options: { visibility?: 'public' | 'private'; kind?: 'image' | 'application' } = {},
) {
  const response = await server.api('POST', '/api/v1/repository', {
    token,
    body: { namespace, repository, visibility: options.visibility ?? 'private', repo_kind: options.kind ?? 'image' },
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
}

export async function push(server: TestServer, token: string, path: string, reference: string, manifest: BuiltManifest) {
  const response = await server.api('PUT', `/v2/${path}/manifests/${reference}`, {
    token,
    body: manifest.body,
    headers: { 'content-type': manifest.mediaType },
  });
  expect(response.status, response.text).toBe(201);
  expect(response.headers.get('docker-content-digest')).toBe(manifest.digest);
  return manifest;
}

export async function grant(server: TestServer, token: string, path: string, username: string, role: 'read' | 'write' | 'admin') {
  const response = await server.api('PUT', `/api/v1/repository/${path}/permissions/user/${username}`, { token, body: { role } });
  expect(response.status, response.text).toBe(200);
}

export interface QuayFixtures {
  tokens: { devtable: string; public: string; reader: string; freshuser: string };
  manifests: Record<string, BuiltManifest>;
}

/** devtable owns devtable/* and administers org buynlarge; public owns public/publicrepo. */
export async function seedQuayFixtures(server: TestServer): Promise<QuayFixtures> {
  const tokens = {
    devtable: await server.tokenFor('devtable'),
    public: await server.tokenFor('public'),
    reader: await server.tokenFor('reader'),
    freshuser: await server.tokenFor('freshuser'),
  };
  const { devtable } = tokens;
  const manifests: Record<string, BuiltManifest> = {};
  const base = imageManifest({ layerCount: 2 });

  await createRepository(server, devtable, 'devtable', 'simple');
  manifests.simpleLatest = await push(server, devtable, 'devtable/simple', 'latest', imageManifest({ layerCount: 3 }));
  manifests.simpleProd = await push(server, devtable, 'devtable/simple', 'prod', imageManifest({ layerCount: 2, docker: true }));

  await createRepository(server, devtable, 'devtable', 'history');
  manifests.historyA = await push(server, devtable, 'devtable/history', 'latest', imageManifest());
  manifests.historyB = await push(server, devtable, 'devtable/history', 'latest', imageManifest());

  await createRepository(server, devtable, 'devtable', 'complex');
  manifests.complexV2 = await push(server, devtable, 'devtable/complex', 'v2.0', imageManifest());
  manifests.complexStaging = await push(server, devtable, 'devtable/complex', 'staging', base);
  // prod descends from staging: same base layers plus one more.
  manifests.complexProd = await push(
    server,
    devtable,
    'devtable/complex',
    'prod',
    imageManifest({ layers: [...base.layers, { digest: imageManifest().digest, size: 77 }] }),
  );
  await grant(server, devtable, 'devtable/complex', 'public', 'read');

  await createRepository(server, devtable, 'devtable', 'gargantuan');
  for (const tag of ['v2.0', 'staging', 'latest', 'prod', 'v3.0', 'v4.0', 'v5.0', 'v6.0']) {
    await push(server, devtable, 'devtable/gargantuan', tag, imageManifest({ layerCount: 1 }));
  }

  await createRepository(server, devtable, 'devtable', 'shared');
  manifests.sharedLatest = await push(server, devtable, 'devtable/shared', 'latest', imageManifest());
  await grant(server, devtable, 'devtable/shared', 'public', 'write');
  await grant(server, devtable, 'devtable/shared', 'reader', 'read');

  await createRepository(server, tokens.public, 'public', 'publicrepo', { visibility: 'public' });
  manifests.publicLatest = await push(server, tokens.public, 'public/publicrepo', 'latest', imageManifest());

  const org = await server.api('POST', '/api/v1/organization/', { token: devtable, body: { name: 'buynlarge', email: 'ops@example.com' } });
  expect(org.status, org.text).toBe(201);
  await createRepository(server, devtable, 'buynlarge', 'orgrepo');
  manifests.orgLatest = await push(server, devtable, 'buynlarge/orgrepo', 'latest', imageManifest());
  manifests.orgProd = await push(server, devtable, 'buynlarge/orgrepo', 'prod', imageManifest());
  await grant(server, devtable, 'buynlarge/orgrepo', 'reader', 'read');

  await createRepository(server, devtable, 'devtable', 'someapprepo', { kind: 'application' });
  return { tokens, manifests };
}

/** The tag list of a repository with query parameters. */
export async function listTags(server: TestServer, token: string | undefined, path: string, query = '') {
  return server.api('GET', `/api/v1/repository/${path}/tag/${query ? `?${query}` : ''}`, { token });
}
