/**
 * A real OCI client against the local server: skopeo (containers/image) lists tags and fetches raw
 * manifests, with --registry-token for a private repository, anonymously for a public one. Skipped
 * where skopeo is not installed (.ci/run installs it from Debian's packages).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepository, push } from '../support/fixtures.js';
import { startTestServer } from '../support/local-server.js';
import type { TestServer } from '../support/local-server.js';
import { imageManifest, manifestList } from '../support/manifests.js';

const run = promisify(execFile);
const hasSkopeo = await run('skopeo', ['--version']).then(
  () => true,
  () => false,
);

describe.skipIf(!hasSkopeo)('skopeo', () => {
  let server: TestServer;
  let token: string;
  let host: string;
  const manifest = imageManifest({ docker: true });

  beforeAll(async () => {
    server = await startTestServer({ streamPolling: false });
    token = await server.tokenFor('skopeo');
    host = new URL(server.url).host;
    await createRepository(server, token, 'skopeo', 'private');
    await createRepository(server, token, 'skopeo', 'public', { visibility: 'public' });
    await push(server, token, 'skopeo/private', 'v1', manifest);
    await push(server, token, 'skopeo/private', 'v2', manifest);
    await push(server, token, 'skopeo/public', 'multi', manifestList([manifest]));
  });

  afterAll(async () => {
    await server?.stop();
  });

  const skopeo = (...args: string[]) => run('skopeo', [...args.slice(0, 1), '--tls-verify=false', ...args.slice(1)], { timeout: 30_000 });

  it('lists the tags of a private repository with --registry-token', async () => {
    const { stdout } = await skopeo('list-tags', '--registry-token', token, `docker://${host}/skopeo/private`);
    expect(JSON.parse(stdout).Tags).toEqual(['v1', 'v2']);
  });

  it('fetches the exact manifest bytes with inspect --raw', async () => {
    const { stdout } = await skopeo('inspect', '--raw', '--registry-token', token, `docker://${host}/skopeo/private:v1`);
    expect(stdout.trim()).toBe(manifest.body);
  });

  it('reads a public repository anonymously and a private one not at all', async () => {
    const { stdout } = await skopeo('list-tags', `docker://${host}/skopeo/public`);
    expect(JSON.parse(stdout).Tags).toEqual(['multi']);
    await expect(skopeo('list-tags', `docker://${host}/skopeo/private`)).rejects.toThrow(/unauthorized/i);
  });

  it('accepts the token as the password of --creds', async () => {
    const { stdout } = await skopeo('inspect', '--raw', '--creds', `anyone:${token}`, `docker://${host}/skopeo/private:v2`);
    expect(stdout.trim()).toBe(manifest.body);
  });
});
