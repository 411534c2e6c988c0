/** Synthetic image manifests and lists (random layers) for the benchmarks and the tests (test/support/manifests.ts re-exports them). */
import { createHash, randomBytes } from 'node:crypto';

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';

export interface BuiltManifest {
  mediaType: string;
  body: string;
  digest: string;
  layers: { digest: string; size: number }[];
  size: number;
}

export const sha256 = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;
export const randomDigest = () => sha256(randomBytes(16).toString('hex'));

export function imageManifest(options: { layers?: { digest: string; size: number }[]; layerCount?: number; docker?: boolean; config?: string } = {}): BuiltManifest {
  const layers =
    options.layers ?? Array.from({ length: options.layerCount ?? 2 }, (_, index) => ({ digest: randomDigest(), size: 1000 * (index + 1) }));
  const mediaType = options.docker ? DOCKER_MANIFEST : OCI_MANIFEST;
  const layerType = options.docker ? 'application/vnd.docker.image.rootfs.diff.tar.gzip' : 'application/vnd.oci.image.layer.v1.tar+gzip';
  const body = JSON.stringify({
    schemaVersion: 2,
    mediaType,
    config: {
      mediaType: options.docker ? 'application/vnd.docker.container.image.v1+json' : 'application/vnd.oci.image.config.v1+json',
      digest: options.config ?? randomDigest(),
      size: 1234,
    },
    layers: layers.map((layer) => ({ mediaType: layerType, ...layer })),
  }, null, 2);
  return { mediaType, body, digest: sha256(body), layers, size: layers.reduce((sum, layer) => sum + layer.size, 0) };
}

export function manifestList(children: BuiltManifest[], options: { docker?: boolean } = {}): BuiltManifest {
  const mediaType = options.docker ? DOCKER_LIST : OCI_INDEX;
  const body = JSON.stringify({
    schemaVersion: 2,
    mediaType,
    manifests: children.map((child, index) => ({
      mediaType: child.mediaType,
      digest: child.digest,
      size: Buffer.byteLength(child.body),
      platform: { architecture: index === 0 ? 'amd64' : 'arm64', os: 'linux' },
    })),
  });
  return { mediaType, body, digest: sha256(body), layers: [], size: 0 };
}

/** An OCI image manifest of about `kib` KiB: two layers and large annotations (as signing or SBOM tools add). */
export function largeManifest(kib: number): BuiltManifest {
  const layers = [1, 2].map((index) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: randomDigest(), size: 1000 * index }));
  const annotations: Record<string, string> = {};
  for (let index = 0; JSON.stringify(annotations).length < kib * 1024; index++) {
    annotations[`org.example.note.${index}`] = randomDigest().repeat(4);
  }
  const body = JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: randomDigest(), size: 1234 },
    layers,
    annotations,
  });
  return { mediaType: OCI_MANIFEST, body, digest: sha256(body), layers, size: 3000 };
}
