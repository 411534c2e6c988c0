/**
 * The Store port: every read and write the service makes, as intents in domain terms. Keys are
 * opaque strings (`pk`: a repository, from repoPK; positions: what a page returned as `next`);
 * no caller builds a key, an item or a transaction. createStore (index.ts) binds the DynamoDB
 * adapter to it; conditions that no longer hold surface as WriteConflictError (nothing written),
 * a position a client forged as InvalidPositionError.
 */
import type { RepositoryAccessFacts } from './access.js';
import type { AuditEntry, AuditQuery } from './audit.js';
import type { QueryPosition } from './reads.js';
import type {
  ChangeRecord,
  DeliveryRecord,
  LiveTag,
  ManifestRecord,
  ManifestRefs,
  NamespaceKind,
  NamespaceRecord,
  NotificationRecord,
  PermissionRecord,
  RepositoryRecord,
  TagRange,
  Visibility,
} from './records.js';
import type { DueItem } from './sweep.js';
import type { HistoryQuery, RangePage } from './tag-reads.js';
import type { RetargetWrite } from './tag-writes.js';

export interface Store {
  access: {
    /** The repository, the namespace and the caller's explicit role, in one round trip. */
    loadRepositoryAccessFacts(namespace: string, repository: string, username: string | null): Promise<RepositoryAccessFacts>;
  };
  audit: {
    /** Records an entry unless this stream event was recorded before; false on a replay. */
    putAuditEntry(entry: AuditEntry, retentionDays: number): Promise<boolean>;
    /** A page of a repository's or a namespace's entries in a time window, newest first. */
    queryAudit(query: AuditQuery): Promise<{ entries: AuditEntry[]; next?: QueryPosition }>;
  };
  manifests: {
    getManifest(pk: string, digest: string): Promise<ManifestRecord | null>;
    getManifests(pk: string, digests: string[]): Promise<Map<string, ManifestRecord>>;
    /** Manifests whose legacy chain holds `imageId`, with its position (0 = leaf). */
    findManifestsByLegacyImage(pk: string, imageId: string): Promise<{ digest: string; position: number }[]>;
    /** Digests of the stored manifest lists naming `childDigest`. */
    findParentLists(pk: string, childDigest: string): Promise<string[]>;
    /** The lookup entries of a manifest about to be stored (idempotent; written before it). */
    putManifestIndexItems(pk: string, manifest: ManifestRecord): Promise<void>;
    /** Takes back the lookup entries of a manifest whose push failed. */
    deleteManifestIndexItems(pk: string, manifest: ManifestRecord): Promise<void>;
    getManifestRefs(pk: string, digest: string): Promise<ManifestRefs | null>;
    /** Stores a manifest pushed by digest, queued for collection at `gcAt` unless referenced by then. */
    storeUntaggedManifest(pk: string, manifest: ManifestRecord, gcAt: number, change: ChangeRecord): Promise<void>;
  };
  namespaces: {
    getNamespace(name: string): Promise<NamespaceRecord | null>;
    /** Creates an organization; WriteConflictError when any namespace of that name exists. */
    createOrganization(org: NamespaceRecord, change: ChangeRecord): Promise<void>;
    setTagExpiration(name: string, kind: NamespaceKind, seconds: number, nowMs: number, change: ChangeRecord): Promise<void>;
  };
  repositories: {
    /** Creates a repository (and a user's own namespace on the way); WriteConflictError if it exists. */
    createRepository(repository: RepositoryRecord, ownUserNamespace: boolean, change: ChangeRecord): Promise<void>;
    setVisibility(namespace: string, name: string, visibility: Visibility, change: ChangeRecord): Promise<void>;
    /** Grants a role, if the repository still exists (else WriteConflictError). */
    putPermission(namespace: string, name: string, permission: PermissionRecord, change: ChangeRecord): Promise<void>;
    /** Revokes a role; WriteConflictError when there was none. */
    deletePermission(namespace: string, name: string, username: string, change: ChangeRecord): Promise<void>;
    listPermissions(namespace: string, name: string): Promise<PermissionRecord[]>;
  };
  notifications: {
    /** Creates a notification if the repository still exists (else WriteConflictError). */
    createNotification(pk: string, namespace: string, repository: string, record: NotificationRecord, change: ChangeRecord): Promise<void>;
    listNotifications(pk: string): Promise<NotificationRecord[]>;
    getNotification(pk: string, uuid: string): Promise<NotificationRecord | null>;
    /** WriteConflictError when there is no such notification. */
    deleteNotification(pk: string, uuid: string, change: ChangeRecord): Promise<void>;
    /** WriteConflictError when there is no such notification. */
    resetNotificationFailures(pk: string, uuid: string, change: ChangeRecord): Promise<void>;
    /** Logs an attempt and sets or bumps the failure count (WriteConflictError: deleted meanwhile). */
    recordDelivery(pk: string, uuid: string, delivery: DeliveryRecord): Promise<void>;
    listDeliveries(pk: string, uuid: string, limit: number): Promise<DeliveryRecord[]>;
  };
  sweep: {
    dueShards(): string[];
    /** Queue items of one shard due at or before `nowMs`, oldest first, from `from`. */
    queryDue(shard: string, nowMs: number, limit: number, from?: QueryPosition): Promise<{ items: DueItem[]; read: number; next?: QueryPosition }>;
    /** Moves an item's due time, if it is still due at `expectedDueAt`. */
    reschedule(pk: string, sk: string, expectedDueAt: number, dueAt: number): Promise<void>;
    /** Deletes a closed range past the window (with its tombstone) and releases its manifest reference. */
    purgeRange(pk: string, rangeSK: string, dueAt: number, manifestRefs: ManifestRefs | null, nowMs: number, tombstone?: LiveTag | null): Promise<void>;
    unqueueManifest(pk: string, digest: string, dueAt: number): Promise<void>;
    /** Deletes a manifest if it is still unreferenced; false if it was referenced meanwhile. */
    deleteManifest(pk: string, manifest: ManifestRecord): Promise<boolean>;
  };
  tags: {
    /** The pointer of a tag name (strongly consistent): alive, expired but not swept, or a tombstone. */
    getLiveTag(pk: string, name: string): Promise<LiveTag | null>;
    getRange(pk: string, rangeSK: string): Promise<(TagRange & { dueAt?: number }) | null>;
    /** A page of history after position `from`, newest start first (InvalidPositionError for a forged one). */
    queryHistory(query: HistoryQuery): Promise<RangePage & { hasMore: boolean }>;
    /** Tags alive at an instant, reading at most `readBudget` ranges (`complete: false` beyond). */
    tagsAliveAt(pk: string, atMs: number, readBudget?: number): Promise<{ ranges: TagRange[]; complete: boolean }>;
    /** A tag alive at the manifest, read on the base table (strongly consistent), or null. */
    aliveTagAt(pk: string, digest: string, nowMs: number): Promise<string | null>;
    /** A tag (not `exceptName`) the index shows alive at the manifest: eventually consistent, or null. */
    indexedAliveTagAt(pk: string, digest: string, nowMs: number, exceptName?: string): Promise<string | null>;
    /** Alive tag names in lexical order after `after` (strongly consistent). */
    listAliveTagNames(pk: string, nowMs: number, limit: number, after?: string): Promise<{ names: string[]; hasMore: boolean }>;
    /**
     * Points a tag at a manifest if its pointer is still the one read (`current`, by version):
     * closes or finalizes the previous range, opens `range`, references or stores the manifest,
     * and, with `witness`, only if that tag still points at that manifest (alive).
     */
    retargetTag(write: RetargetWrite): Promise<void>;
    /** Ends the alive range `current` at `nowMs`, if the pointer is still at its version. */
    deleteTag(pk: string, current: LiveTag, nowMs: number, windowS: number, change: ChangeRecord): Promise<void>;
    /** Sets (or with undefined, clears) the pending expiration of `current`, if still at its version. */
    setTagExpiration(pk: string, current: LiveTag, endMs: number | undefined, change: ChangeRecord | null): Promise<void>;
    /** Finalizes a passed expiration of `current` (the sweep). */
    finalizeExpiredTag(pk: string, current: LiveTag, windowS: number, change: ChangeRecord): Promise<void>;
  };
}
