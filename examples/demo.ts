/**
 * `npm run demo` (BASE_URL, default http://127.0.0.1:8080): runs the flows of README.md and
 * docs/api.md in their order against a running server (a fresh `npm start`), printing each step,
 * and stops at the first answer that is not the documented one. Tokens are local HS256 tokens, as
 * `npm run token` signs them. test/e2e/demo.test.ts runs it against the local server.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { signLocalToken } from '../infra/local/token.js';

export interface DemoResponse {
  status: number;
  headers: Headers;
  text: string;
}
export type DemoRequest = (method: string, path: string, options: { headers?: Record<string, string>; body?: string | Uint8Array }) => Promise<DemoResponse>;

const example = (name: string) => readFileSync(new URL(name, import.meta.url));
const json = { 'content-type': 'application/json' };
const OCI_IMAGE = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const DOCKER_IMAGE = 'application/vnd.docker.distribution.manifest.v2+json';
const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';

/** Runs every step; resolves with the number of steps, rejects at the first unexpected status. */
export async function runDemo(request: DemoRequest, token: string, print: (line: string) => void = console.log): Promise<number> {
  const auth = { authorization: `Bearer ${token}` };
  let steps = 0;
  async function step(title: string, method: string, path: string, expected: number, options: { headers?: Record<string, string>; body?: string | Uint8Array } = {}) {
    const response = await request(method, path, { ...options, headers: { ...auth, ...options.headers } });
    steps++;
    const summary = response.text.length > 160 ? `${response.text.slice(0, 160)}…` : response.text.trim();
    print(`${String(steps).padStart(2)}. ${title}\n    ${method} ${path} → ${response.status} ${summary}`);
    if (response.status !== expected) throw new Error(`step ${steps} (${title}): expected ${expected}, got ${response.status}: ${response.text}`);
    return response;
  }
  const body = (value: unknown) => ({ headers: json, body: JSON.stringify(value) });
  const today = new Date().toISOString().slice(0, 10).split('-');
  const window = `starttime=${today[1]}/${today[2]}/${today[0]}`;

  // README: start
  await step('README: create the repository alice/app', 'POST', '/api/v1/repository', 201, body({ namespace: 'alice', repository: 'app', visibility: 'private' }));
  await step('README: list its tags (none yet)', 'GET', '/api/v1/repository/alice/app/tag/', 200);
  const pushed = await step('README / api.md §0: push examples/oci-image.json as alice/app:latest', 'PUT', '/v2/alice/app/manifests/latest', 201, {
    headers: { 'content-type': OCI_IMAGE },
    body: example('oci-image.json'),
  });
  const digest = pushed.headers.get('docker-content-digest') as string;

  // docs/api.md §3: tag API
  await step('§3.1 list alive tags, two per page', 'GET', '/api/v1/repository/alice/app/tag/?limit=2&onlyActiveTags=true', 200);
  await step('§3.2 create tag v1 on the pushed manifest', 'PUT', '/api/v1/repository/alice/app/tag/v1', 201, body({ manifest_digest: digest }));
  await step('§3.2 expire v1 in one day', 'PUT', '/api/v1/repository/alice/app/tag/v1', 201, body({ expiration: Math.floor(Date.now() / 1000) + 86_400 }));
  await step('§3.3 delete v1', 'DELETE', '/api/v1/repository/alice/app/tag/v1', 204);
  await step('§3.4 restore v1', 'POST', '/api/v1/repository/alice/app/tag/v1/restore', 200, body({ manifest_digest: digest }));
  await step('§3.5 legacy images of latest', 'GET', '/api/v1/repository/alice/app/tag/latest/images', 200);

  // docs/api.md §4: administration
  await step('§4.1 create the organization acme', 'POST', '/api/v1/organization/', 201, body({ name: 'acme', email: 'ops@acme.test' }));
  await step('§4.2 acme keeps deleted tags restorable for a week', 'PUT', '/api/v1/organization/acme', 200, body({ tag_expiration_s: 604800 }));
  await step('§4.3 alice keeps them for a day', 'PUT', '/api/v1/user/', 200, body({ tag_expiration_s: 86400 }));
  await step('§4.4 create the repository acme/web', 'POST', '/api/v1/repository', 201, body({ namespace: 'acme', repository: 'web', visibility: 'private', description: 'the site' }));
  await step('§4.5 repository info', 'GET', '/api/v1/repository/acme/web', 200);
  await step('§4.6 make it public', 'POST', '/api/v1/repository/acme/web/changevisibility', 200, body({ visibility: 'public' }));
  await step('§4.7 its user permissions', 'GET', '/api/v1/repository/acme/web/permissions/user/', 200);
  await step('§4.8 grant bob write', 'PUT', '/api/v1/repository/acme/web/permissions/user/bob', 200, body({ role: 'write' }));
  await step('§4.9 revoke it', 'DELETE', '/api/v1/repository/acme/web/permissions/user/bob', 204);

  // docs/api.md §5: audit logs (today's window; entries are written by the stream consumer)
  await step('§5.1 repository logs', 'GET', `/api/v1/repository/alice/app/logs?${window}`, 200);
  await step('§5.2 organization logs', 'GET', '/api/v1/organization/acme/logs', 200);
  await step('§5.3 user logs', 'GET', '/api/v1/user/logs', 200);

  // docs/api.md §6: OCI distribution, manifests only
  await step('§6.1 API version check', 'GET', '/v2/', 200);
  const host = 'localhost';
  await step('§6.2 token endpoint', 'GET', `/v2/auth?service=${host}&scope=repository:alice/app:pull`, 200, {
    headers: { authorization: `Basic ${Buffer.from(`alice:${token}`).toString('base64')}` },
  });
  await step('§6.3 push examples/oci-image-arm64.json by digest', 'PUT', `/v2/alice/app/manifests/${sha256Of(example('oci-image-arm64.json'))}`, 201, {
    headers: { 'content-type': OCI_IMAGE },
    body: example('oci-image-arm64.json'),
  });
  await step('§6.3 push examples/oci-index.json as multiarch', 'PUT', '/v2/alice/app/manifests/multiarch', 201, { headers: { 'content-type': OCI_INDEX }, body: example('oci-index.json') });
  await step('§6.3 push examples/docker-manifest.json as docker', 'PUT', '/v2/alice/app/manifests/docker', 201, {
    headers: { 'content-type': DOCKER_IMAGE },
    body: example('docker-manifest.json'),
  });
  await step('§6.3 push examples/docker-manifest-list.json as docker-list', 'PUT', '/v2/alice/app/manifests/docker-list', 201, {
    headers: { 'content-type': DOCKER_LIST },
    body: example('docker-manifest-list.json'),
  });
  await step('§6.4 fetch latest', 'GET', '/v2/alice/app/manifests/latest', 200);
  await step('§6.4 HEAD latest', 'HEAD', '/v2/alice/app/manifests/latest', 200);
  await step('§6.5 tag names, two per page', 'GET', '/v2/alice/app/tags/list?n=2', 200);

  // docs/api.md §7 and discovery
  await step('§7.1 health', 'GET', '/health/instance', 200);
  await step('OpenAPI document', 'GET', '/api/v1/openapi.json', 200);
  return steps;
}

function sha256Of(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

async function main() {
  const baseUrl = (process.env.BASE_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
  const token = await signLocalToken('alice', { ttlSeconds: 3600 });
  const request: DemoRequest = async (method, path, options) => {
    const response = await fetch(`${baseUrl}${path}`, { method, headers: options.headers, body: options.body });
    return { status: response.status, headers: response.headers, text: await response.text() };
  };
  console.log(`demo against ${baseUrl} (a fresh \`npm start\`: it creates alice/app and acme/web)\n`);
  const steps = await runDemo(request, token);
  console.log(`\n${steps} steps, all answered as documented.`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  });
}
