/**
 * Key builders for the registry table (docs/data-model.md). Every key format lives here so no other
 * module spells a prefix by hand.
 */

/** Largest epoch-millisecond value we encode (year 2286); times are 13 digits, zero padded. */
const MAX_MS = 9_999_999_999_999;

export function pad13(ms: number): string {
  return String(ms).padStart(13, '0');
}

/** Inverted, padded time: sorts ascending from newest to oldest. */
export function descending(ms: number): string {
  return pad13(MAX_MS - ms);
}

export const repoPK = (namespace: string, repository: string) => `REPO#${namespace}/${repository}`;
export const namespacePK = (namespace: string) => `NS#${namespace}`;

export const SK = {
  repository: '#REPO',
  namespace: '#NS',
  permission: (username: string) => `PERM#${username}`,
  permissionPrefix: 'PERM#',
  manifest: (digest: string) => `MAN#${digest}`,
  /**
   * A manifest's reference count, a small item of its own: a tag move updates it in the move's
   * transaction, and a write is billed on the size of the item it touches (the manifest's bytes
   * would make every move cost more the bigger the manifest). It exists exactly as long as the
   * manifest does, and carries the manifest's place in the GC queue.
   */
  manifestRefs: (digest: string) => `MREF#${digest}`,
  manifestRefsPrefix: 'MREF#',
  /** One item per legacy image id in a manifest's chain: lookups by id and "who shares this image". */
  legacyImage: (imageId: string, manifestDigest: string) => `IMG#${imageId}#${manifestDigest}`,
  legacyImagePrefix: (imageId: string) => `IMG#${imageId}#`,
  /** A manifest list's reference to a child manifest, written whether or not the child is stored. */
  listChild: (childDigest: string, listDigest: string) => `CHILD#${childDigest}#${listDigest}`,
  listChildPrefix: (childDigest: string) => `CHILD#${childDigest}#`,
  /** The live pointer of an alive tag name: the concurrency anchor of every tag mutation. */
  tag: (name: string) => `TAG#${name}`,
  tagPrefix: 'TAG#',
  /** A history range; sorts newest start first, then by name (Quay's list order). */
  range: (startMs: number, name: string) => `H#${descending(startMs)}#${name}`,
  rangePrefix: 'H#',
  /** An outbox change item: one per mutation, read by the stream consumer, expired by TTL. */
  change: (atMs: number, id: string) => `CHG#${pad13(atMs)}#${id}`,
  changePrefix: 'CHG#',
  /** An auto-prune policy, in the partition of what it governs (a namespace or a repository). */
  autoprunePolicy: (uuid: string) => `APP#${uuid}`,
  autoprunePolicyPrefix: 'APP#',
  /** The auto-prune job of a namespace or repository with policies: its place in the sweep queue. */
  autopruneJob: '#AUTOPRUNE',
  /** One auto-prune run's log (what it pruned); operation ids start with the run's time, so newest sorts last. */
  autopruneRun: (operationId: string) => `APRUN#${operationId}`,
  autopruneRunPrefix: 'APRUN#',
  /** In a namespace's partition: one entry per repository (lists a namespace's repositories). */
  directory: (repository: string) => `DIR#${repository}`,
  directoryPrefix: 'DIR#',
  /** In a repository's partition: an immutability policy still to apply to its alive tags (sweep). */
  pendingApplication: (policyUuid: string) => `IMMAPPLY#${policyUuid}`,
  /** A repository notification (docs/events.md). */
  notification: (uuid: string) => `NOTIF#${uuid}`,
  notificationPrefix: 'NOTIF#',
  /** One delivery attempt of a notification, newest first; expired by TTL. */
  delivery: (uuid: string, atMs: number, id: string) => `NDLV#${uuid}#${descending(atMs)}#${id}`,
  deliveryPrefix: (uuid: string) => `NDLV#${uuid}#`,
};

/** Key of the tagHistory index: one tag name's ranges. */
export const tagKey = (pk: string, name: string) => `${pk}#${name}`;
/** Key of the tagsByManifest index. */
export const manifestKey = (pk: string, digest: string) => `${pk}#${digest}`;
/** Sort key of the activeTags index (same order as history). */
export const activeSK = (startMs: number, name: string) => `${descending(startMs)}#${name}`;
/** Sort key of the rangesByEnd index; open ranges sort after every closed one. */
export const endSK = (endMs: number | undefined, name: string, startMs: number) =>
  `${endMs === undefined ? pad13(MAX_MS) : pad13(endMs)}#${name}#${pad13(startMs)}`;

/** The sweep's work queue is spread over this many index partitions (write sharding). */
export const SWEEP_SHARDS = 8;

export function sweepShard(seed: string): string {
  let hash = 0;
  for (let index = 0; index < seed.length; index++) hash = (hash * 31 + seed.charCodeAt(index)) >>> 0;
  return `DUE#${hash % SWEEP_SHARDS}`;
}

export const allSweepShards = () => Array.from({ length: SWEEP_SHARDS }, (_, shard) => `DUE#${shard}`);
