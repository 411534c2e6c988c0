/** Data created through the real API: namespaces, repositories and pushed manifests. */
import type { Bench } from './harness.js';
import { expectStatus } from './harness.js';
import type { BuiltManifest } from './manifests.js';

export const NAMESPACE = 'bench';

export async function createRepository(bench: Bench, token: string, name: string): Promise<string> {
  const response = await bench.inProcess({
    method: 'POST',
    path: '/api/v1/repository',
    token,
    body: { namespace: NAMESPACE, repository: name, visibility: 'private', description: 'benchmark' },
  });
  expectStatus(response, 201, `create repository ${name}`);
  return `${NAMESPACE}/${name}`;
}

export async function push(bench: Bench, token: string, path: string, reference: string, manifest: BuiltManifest): Promise<void> {
  const response = await bench.inProcess({
    method: 'PUT',
    path: `/v2/${path}/manifests/${reference}`,
    token,
    body: manifest.body,
    headers: { 'content-type': manifest.mediaType },
  });
  expectStatus(response, 201, `push ${path}:${reference}`);
}
