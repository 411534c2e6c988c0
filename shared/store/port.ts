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
  ImmutabilityPolicy,
  DeliveryRecord,
  LiveTag,
  ManifestRecord,
  ManifestRefs,
  NamespaceKind,
  NamespaceRecord,
  NotificationRecord,
  PermissionRecord,
  RepositoryRecord,
  TagExpectation,
  TagRange,
  Visibility,
} from './records.js';
import type { AutopruneJob, AutopruneRun, RetentionScope } from './retention.js';
import type { AutoprunePolicy } from '../domain/retention-policy.js';
import type { DueItem } from './sweep.js';
import type { HistoryQuery, RangePage } from './tag-reads.js';
import type { DeleteWrite, RetargetWrite } from './tag-writes.js';
import type { TagWrite } from './tag-batch.js';
import type { ClaimOutcome, IdempotencyClaim, StoredResponse } from './idempotency.js';
import type { PendingApplication, PolicyOwner } from './immutability-policies.js';
import type { ImmutabilityMark } from './tag-immutability.js';

export interface Store {
  idempotency: {
    /** Claims a caller's Idempotency-Key (conditional put), or reports the claim or response already there. */
    claim(claim: IdempotencyClaim): Promise<ClaimOutcome>;
    /** Stores the response of the claimed request (24 h). */
    complete(caller: string, key: string, token: string, response: StoredResponse): Promise<void>;
    /** Releases a claim whose request failed. */
    release(caller: string, key: string, token: string): Promise<void>;
  };
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
  immutabilityPolicies: {
    /** Creates (a new uuid) or replaces (an existing one) a policy of a namespace or repository; WriteConflictError otherwise. */
    putPolicy(owner: PolicyOwner & { userNamespace?: boolean }, policy: ImmutabilityPolicy, mode: 'create' | 'update', nowMs: number, change: ChangeRecord): Promise<void>;
    /** Deletes a policy; WriteConflictError when it does not exist. */
    deletePolicy(owner: PolicyOwner, uuid: string, change: ChangeRecord): Promise<void>;
    /** A page of a namespace's repository names (lexical, after `after`). */
    listNamespaceRepositories(namespace: string, limit: number, after?: string): Promise<{ names: string[]; hasMore: boolean }>;
    /** Hands the rest of an application to the sweep (replaces one queued for the same policy and repository). */
    queueApplication(app: PendingApplication): Promise<void>;
    getApplication(pk: string, sk: string): Promise<PendingApplication | null>;
    /** Moves the application's cursor, or with null removes it (if it is still the one read). */
    advanceApplication(app: PendingApplication, after: string | null, dueAt: number): Promise<void>;
    /** Records an audit change with no other write. */
    recordChange(change: ChangeRecord): Promise<void>;
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
  retention: {
    /** Policies of a namespace (repository null) or a repository, read from that scope's own partition. */
    listPolicies(scope: RetentionScope): Promise<AutoprunePolicy[]>;
    getPolicy(scope: RetentionScope, uuid: string): Promise<AutoprunePolicy | null>;
    /** Stores a policy and makes the scope's job due now; a repository must still exist (else WriteConflictError). */
    createPolicy(scope: RetentionScope, policy: AutoprunePolicy, change: ChangeRecord): Promise<void>;
    /** Replaces a policy that still exists (else WriteConflictError); the job becomes due now. */
    updatePolicy(scope: RetentionScope, policy: AutoprunePolicy, change: ChangeRecord): Promise<void>;
    deletePolicy(scope: RetentionScope, uuid: string, change: ChangeRecord): Promise<void>;
    getJob(scope: RetentionScope): Promise<AutopruneJob | null>;
    /** Ends a job's turn if still due at `expectedDueAt`: due again at `next.dueAt`, or (null) dropped when no policy is left. */
    settleJob(scope: RetentionScope, expectedDueAt: number, next: { dueAt: number; cursor?: string } | null): Promise<void>;
    /** A page of a namespace's repository names after `after` (an index query, never a Scan). */
    listNamespaceRepositories(namespace: string, limit: number, after?: string): Promise<{ names: string[]; hasMore: boolean }>;
    /** Every alive tag pointer of a repository (index read, eventually consistent), and the items read. */
    listAlivePointers(pk: string, nowMs: number): Promise<{ tags: LiveTag[]; read: number }>;
    /** Logs a run that pruned something, kept until `keepUntilMs`. */
    putRun(namespace: string, repository: string, run: AutopruneRun, keepUntilMs: number): Promise<void>;
    /** Runs since `sinceMs`, newest first. */
    listRuns(namespace: string, repository: string, sinceMs: number): Promise<AutopruneRun[]>;
    getRun(namespace: string, repository: string, operationId: string): Promise<AutopruneRun | null>;
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
    /** Ranges ending after `afterMs` (open ones included), unordered, reading at most `readBudget`. */
    rangesEndingAfter(pk: string, afterMs: number, readBudget?: number): Promise<{ ranges: TagRange[]; complete: boolean }>;
    /** A tag alive at the manifest, read on the base table (strongly consistent), or null. */
    aliveTagAt(pk: string, digest: string, nowMs: number): Promise<string | null>;
    /** A tag (not `exceptName`) the index shows alive at the manifest: eventually consistent, or null. */
    indexedAliveTagAt(pk: string, digest: string, nowMs: number, exceptName?: string): Promise<string | null>;
    /** Alive tag pointers in lexical order after `after` (strongly consistent). */
    listAliveTags(pk: string, nowMs: number, limit: number, after?: string): Promise<{ tags: LiveTag[]; hasMore: boolean }>;
    /** Marks alive tags (at most 49, at the versions read, not yet immutable) immutable by a policy, clearing expirations. */
    markTagsImmutable(pk: string, tags: LiveTag[], policy: string, change: ChangeRecord | null): Promise<void>;
    /** Alive tag names in lexical order after `after` (strongly consistent). */
    listAliveTagNames(pk: string, nowMs: number, limit: number, after?: string): Promise<{ names: string[]; hasMore: boolean }>;
    /**
     * Points a tag at a manifest if its pointer is still the one read (`current`, by version):
     * closes or finalizes the previous range, opens `range`, references or stores the manifest,
     * and, with `witness`, only if that tag still points at that manifest (alive).
     */
    retargetTag(write: RetargetWrite): Promise<void>;
    /** Ends the alive range `current` at `nowMs`, if the pointer is still at its version (and as expected). */
    deleteTag(write: DeleteWrite): Promise<void>;
    /** Sets (or with undefined, clears) the pending expiration of `current`, if still at its version (and as expected). */
    setTagExpiration(
      pk: string,
      current: LiveTag,
      endMs: number | undefined,
      change: ChangeRecord | null,
      expect?: { expectation: TagExpectation; nowMs: number },
    ): Promise<void>;
    /** Several retargets and deletes of distinct tags of one repository in one transaction: all or none. */
    applyTagWrites(writes: TagWrite[]): Promise<void>;
    /** Sets or unsets the immutable flag of the alive tag `current`, if still at its version. */
    setTagImmutability(pk: string, current: LiveTag, mark: ImmutabilityMark, change: ChangeRecord | null): Promise<void>;
    /** Finalizes a passed expiration of `current` (the sweep). */
    finalizeExpiredTag(pk: string, current: LiveTag, windowS: number, change: ChangeRecord): Promise<void>;
  };
}
