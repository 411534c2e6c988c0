/**
 * The `/v2` side of the peer benchmark, the same for both servers: tiny real blobs uploaded once
 * (Distribution checks that a manifest's blobs exist; this service does not), then distinct OCI
 * manifests per tag (they differ by an annotation), reads by tag and tags/list pages.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { ClientResponse, LoopbackClient } from './http-client.js';
import { expectOk, nextLink } from './http-client.js';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const ACCEPT = [OCI_MANIFEST, 'application/vnd.docker.distribution.manifest.v2+json', 'application/vnd.oci.image.index.v1+json'].join(', ');

const digestOf = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

export interface Blob {
  mediaType: string;
  bytes: Buffer;
  digest: string;
}

/** A config blob and a 1 KiB layer blob, shared by every manifest of a run. */
export function tinyBlobs(): { config: Blob; layer: Blob } {
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }));
  const layer = randomBytes(1024);
  return {
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', bytes: config, digest: digestOf(config) },
    layer: { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', bytes: layer, digest: digestOf(layer) },
  };
}

/** The manifest pushed to `tag`: unique per tag and run through its annotation. */
export function manifestFor(blobs: { config: Blob; layer: Blob }, tag: string, runId: string): string {
  const descriptor = (blob: Blob) => ({ mediaType: blob.mediaType, digest: blob.digest, size: blob.bytes.length });
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: descriptor(blobs.config),
    layers: [descriptor(blobs.layer)],
    annotations: { 'org.example.bench.tag': `${runId}/${tag}` },
  });
}

/** Monolithic upload: POST an upload session, then PUT the whole blob with its digest. */
export async function uploadBlob(client: LoopbackClient, repo: string, blob: Blob): Promise<void> {
  const started = expectOk(await client.send({ method: 'POST', path: `/v2/${repo}/blobs/uploads/` }), [202], `start upload to ${repo}`);
  const location = started.headers.location;
  if (!location) throw new Error('upload session without a Location');
  const target = new URL(location, client.baseUrl);
  target.searchParams.set('digest', blob.digest);
  expectOk(
    await client.send({
      method: 'PUT',
      path: `${target.pathname}${target.search}`,
      headers: { 'content-type': 'application/octet-stream' },
      body: blob.bytes,
    }),
    [201],
    `upload ${blob.digest}`,
  );
}

export async function putManifest(client: LoopbackClient, repo: string, tag: string, body: string): Promise<ClientResponse> {
  return expectOk(
    await client.send({ method: 'PUT', path: `/v2/${repo}/manifests/${tag}`, headers: { 'content-type': OCI_MANIFEST }, body }),
    [201],
    `PUT ${repo}:${tag}`,
  );
}

export async function getManifest(client: LoopbackClient, repo: string, tag: string): Promise<ClientResponse> {
  return expectOk(await client.send({ method: 'GET', path: `/v2/${repo}/manifests/${tag}`, headers: { accept: ACCEPT } }), [200], `GET ${repo}:${tag}`);
}

export interface TagsPage {
  response: ClientResponse;
  tags: string[];
  next?: string;
}

export async function tagsPage(client: LoopbackClient, path: string): Promise<TagsPage> {
  const response = expectOk(await client.send({ method: 'GET', path }), [200], `GET ${path}`);
  const body = JSON.parse(response.body.toString('utf8')) as { tags?: string[] | null };
  return { response, tags: body.tags ?? [], next: nextLink(response) };
}

export interface Listing {
  ms: number;
  requests: number;
  tags: number;
}

/** Every tag of the repository, following `Link: rel="next"` from `?n=<n>`; `ms` is the wall time of it all. */
export async function fullListing(client: LoopbackClient, repo: string, n: number): Promise<Listing> {
  let path: string | undefined = `/v2/${repo}/tags/list?n=${n}`;
  const listing: Listing = { ms: 0, requests: 0, tags: 0 };
  const started = performance.now();
  while (path) {
    const page = await tagsPage(client, path);
    listing.requests += 1;
    listing.tags += page.tags.length;
    if (listing.requests > 100_000) throw new Error('listing does not end');
    path = page.next;
  }
  listing.ms = performance.now() - started;
  return listing;
}
