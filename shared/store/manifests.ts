/** Manifests, their legacy image ids and manifest-list children: reads and the ingest write. */
import type { StoreContext } from './context.js';
import { BatchWriteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { putChange } from './changes.js';
import { legacyImageChain } from '../domain/legacy-ids.js';
import { SK, sweepShard } from './keys.js';
import { batchGet, queryPrefix } from './reads.js';
import type { ChangeRecord, ManifestRecord, ManifestRefs } from './records.js';
import { transact } from './transactions.js';
import type { TransactItem } from './transactions.js';

/**
 * The item keeps the exact bytes plus a few scalar values reads need at once; layers, children,
 * annotations and legacy image ids are derived from the bytes (validated at push), so the item is
 * hardly bigger than the manifest.
 */
function toManifest(item: Record<string, unknown>): ManifestRecord {
  const bytes = item.bytes as Uint8Array;
  const json = JSON.parse(new TextDecoder().decode(bytes)) as {
    layers?: ManifestRecord['layers'];
    manifests?: ManifestRecord['children'];
    annotations?: Record<string, string>;
  };
  const isList = Boolean(item.isList);
  const manifest: ManifestRecord = {
    digest: item.digest as string,
    mediaType: item.mediaType as string,
    bytes,
    isList,
    configDigest: (item.configDigest as string | undefined) ?? null,
    layers: isList ? [] : (json.layers ?? []).map(({ mediaType, digest, size }) => ({ mediaType, digest, size })),
    layersSize: (item.layersSize as number | undefined) ?? null,
    children: isList
      ? (json.manifests ?? []).map(({ mediaType, digest, size, platform }) => ({ mediaType, digest, size, ...(platform ? { platform } : {}) }))
      : [],
    annotations: json.annotations ?? {},
    pushedAt: item.pushedAt as number,
    legacyChain: [],
  };
  // Derived, not stored: deterministic from the layers, and 65 bytes a layer would let a manifest
  // with thousands of layers outgrow DynamoDB's 400 KB item limit.
  manifest.legacyChain = legacyImageChain(manifest);
  return manifest;
}

/** The stored parts of a manifest item (see toManifest for what is derived on read). */
function manifestItem(pk: string, manifest: ManifestRecord) {
  return {
    PK: pk,
    SK: SK.manifest(manifest.digest),
    type: 'manifest',
    digest: manifest.digest,
    mediaType: manifest.mediaType,
    bytes: manifest.bytes,
    isList: manifest.isList,
    configDigest: manifest.configDigest ?? undefined,
    layersSize: manifest.layersSize ?? undefined,
    pushedAt: manifest.pushedAt,
  };
}

export async function getManifest(ctx: StoreContext, pk: string, digest: string): Promise<ManifestRecord | null> {
  const { Item } = await ctx.client.send(
    new GetCommand({ TableName: ctx.tables.registry, Key: { PK: pk, SK: SK.manifest(digest) }, ConsistentRead: true }),
  );
  return Item ? toManifest(Item) : null;
}

/** Several manifests in one round trip (a list page shows each row's manifest). */
export async function getManifests(ctx: StoreContext, pk: string, digests: string[]): Promise<Map<string, ManifestRecord>> {
  const keys = [...new Set(digests)].map((digest) => ({ PK: pk, SK: SK.manifest(digest) }));
  const items = await batchGet(ctx, ctx.tables.registry, keys);
  return new Map(items.map((item) => [item.digest as string, toManifest(item)]));
}

/** Manifests whose legacy chain contains `imageId`, with the position of the id (0 = leaf). */
export async function findManifestsByLegacyImage(ctx: StoreContext, pk: string, imageId: string) {
  const items = await queryPrefix(ctx, ctx.tables.registry, pk, SK.legacyImagePrefix(imageId));
  return items.map((item) => ({ digest: item.manifestDigest as string, position: item.position as number }));
}

/** Digests of the stored manifest lists that reference `childDigest`. */
export async function findParentLists(ctx: StoreContext, pk: string, childDigest: string): Promise<string[]> {
  return (await queryPrefix(ctx, ctx.tables.registry, pk, SK.listChildPrefix(childDigest))).map((item) => item.listDigest as string);
}

/**
 * The index items of a manifest (legacy image ids, list children). They are written before the
 * manifest itself, with keys derived from its content, so a retried or failed push only ever
 * rewrites the same items; lookups always confirm the manifest item exists.
 */
export async function putManifestIndexItems(ctx: StoreContext, pk: string, manifest: ManifestRecord): Promise<void> {
  await batchWrite(ctx, manifestIndexItems(pk, manifest).map((Item) => ({ PutRequest: { Item } })));
}

/** The legacy-image and list-child index items of a manifest (exported for the bench seeder). */
export function manifestIndexItems(pk: string, manifest: ManifestRecord): Record<string, unknown>[] {
  return [
    ...manifest.legacyChain.map((imageId, position) => ({
      PK: pk,
      SK: SK.legacyImage(imageId, manifest.digest),
      type: 'legacyImage',
      imageId,
      manifestDigest: manifest.digest,
      position,
    })),
    ...manifest.children.map((child) => ({
      PK: pk,
      SK: SK.listChild(child.digest, manifest.digest),
      type: 'listChild',
      childDigest: child.digest,
      listDigest: manifest.digest,
    })),
  ];
}

export async function deleteManifestIndexItems(ctx: StoreContext, pk: string, manifest: ManifestRecord): Promise<void> {
  const keys = [
    ...manifest.legacyChain.map((imageId) => SK.legacyImage(imageId, manifest.digest)),
    ...manifest.children.map((child) => SK.listChild(child.digest, manifest.digest)),
  ];
  await batchWrite(ctx, keys.map((sk) => ({ DeleteRequest: { Key: { PK: pk, SK: sk } } })));
}

type WriteRequest = { PutRequest: { Item: Record<string, unknown> } } | { DeleteRequest: { Key: Record<string, unknown> } };

async function batchWrite(ctx: StoreContext, requests: WriteRequest[]): Promise<void> {
  for (let offset = 0; offset < requests.length; offset += 25) {
    let pending: WriteRequest[] | undefined = requests.slice(offset, offset + 25);
    for (let attempt = 0; pending && pending.length; attempt++) {
      if (attempt) await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
      const result = await ctx.client.send(new BatchWriteCommand({ RequestItems: { [ctx.tables.registry]: pending } }));
      pending = result.UnprocessedItems?.[ctx.tables.registry] as WriteRequest[] | undefined;
    }
  }
}

/** A manifest's reference count (null when the manifest is not stored). */
export async function getManifestRefs(ctx: StoreContext, pk: string, digest: string): Promise<ManifestRefs | null> {
  const { Item } = await ctx.client.send(
    new GetCommand({ TableName: ctx.tables.registry, Key: { PK: pk, SK: SK.manifestRefs(digest) }, ConsistentRead: true }),
  );
  return Item ? { digest, refs: Item.refs as number, dueAt: Item.dueAt as number | undefined } : null;
}

/**
 * The items of a new manifest: the manifest and its reference count, which starts at the number of
 * ranges the same transaction opens on it. An untagged manifest (pushed by digest) is queued for GC
 * at the end of the namespace's window, unless referenced by then. (Exported for the bench seeder.)
 */
export function newManifestItems(
  pk: string,
  manifest: ManifestRecord,
  refs: number,
  gcAt: number | null,
  /** The tag the same transaction points at it (see hasAliveTag), if any. */
  lastTag?: string,
): Record<string, unknown>[] {
  return [
    manifestItem(pk, manifest),
    {
      PK: pk,
      SK: SK.manifestRefs(manifest.digest),
      type: 'manifestRefs',
      digest: manifest.digest,
      refs,
      lastTag,
      ...(gcAt !== null ? { dueShard: sweepShard(pk + manifest.digest), dueAt: gcAt, dueKind: 'gc' } : {}),
    },
  ];
}

/** The puts of a new manifest inside a transaction (neither item may exist yet). */
export function putNewManifest(ctx: StoreContext, ...args: Parameters<typeof newManifestItems>): TransactItem[] {
  return newManifestItems(...args).map((Item) => ({
    Put: { TableName: ctx.tables.registry, Item, ConditionExpression: 'attribute_not_exists(PK)' },
  }));
}

/** Stores an untagged manifest (push by digest) with its audit change. */
export async function storeUntaggedManifest(ctx: StoreContext, pk: string, manifest: ManifestRecord, gcAt: number, change: ChangeRecord) {
  await transact(ctx, [...putNewManifest(ctx, pk, manifest, 0, gcAt), putChange(ctx, change)]);
}
