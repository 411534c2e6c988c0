/**
 * The records the store reads and writes, in domain terms (no key attributes). docs/data-model.md
 * shows how each maps onto an item.
 */
import type { Role } from '../domain/permissions.js';

export type RepositoryKind = 'image' | 'application';
export type Visibility = 'public' | 'private';

export interface RepositoryRecord {
  namespace: string;
  name: string;
  kind: RepositoryKind;
  visibility: Visibility;
  description: string;
  createdAt: number;
  /** The repository's immutability policies (read with it: no extra round trip on a tag write). */
  immutabilityPolicies?: ImmutabilityPolicy[];
}

/** An immutability policy, kept on the item of the namespace or repository it governs. */
export interface ImmutabilityPolicy {
  uuid: string;
  scope: 'namespace' | 'repository';
  tagPattern: string;
  tagPatternMatches: boolean;
}

export type NamespaceKind = 'user' | 'organization';

export interface NamespaceRecord {
  name: string;
  kind: NamespaceKind;
  admins: string[];
  email?: string;
  /** The time-machine window: how long dead tag ranges stay restorable. */
  tagExpirationS: number;
  createdAt: number;
  /** The namespace's immutability policies (read with it by the authorization read). */
  immutabilityPolicies?: ImmutabilityPolicy[];
}

export const DEFAULT_TAG_EXPIRATION_S = 1_209_600;

export interface PermissionRecord {
  username: string;
  role: Role;
}

export type RangeEndReason = 'moved' | 'deleted' | 'expired';

/** One lifetime of a tag name: created by create, move or restore; closed by move, delete or expiry. */
export interface TagRange {
  name: string;
  manifestDigest: string;
  /** Epoch ms. */
  start: number;
  /** Epoch ms; set when closed, or in the future while an expiration is pending. */
  end?: number;
  reversion: boolean;
  /** Set once the range is final; absent while open (even if `end` has passed: not yet swept). */
  endedBy?: RangeEndReason;
  /** Quay's `Tag.immutable`, per range: cannot be moved, deleted, restored over or expired. */
  immutable?: boolean;
  /** When immutable: the immutability policy that made it so (absent: set through the API). */
  immutablePolicy?: string;
}

/** The live pointer of a tag name, a copy of its open range plus the optimistic-lock version. */
export interface LiveTag extends TagRange {
  version: number;
  /** Sort key of the open range item. */
  rangeSK: string;
  /** The tag refuses moves, deletes and restores (409 tag_immutable). */
  immutable?: boolean;
}

/**
 * What a conditional write requires of a tag's pointer, checked by the write's own transaction:
 * alive at that manifest (If-Match), or not alive (If-None-Match: *, or an expected null).
 */
export type TagExpectation = { kind: 'alive_at'; digest: string } | { kind: 'not_alive' };

export interface ManifestLayer {
  mediaType: string;
  digest: string;
  size: number;
}

export interface ManifestChild {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { architecture?: string; os?: string; variant?: string };
}

export interface ManifestRecord {
  digest: string;
  mediaType: string;
  /** The exact bytes that were pushed (the digest is theirs). */
  bytes: Uint8Array;
  isList: boolean;
  configDigest: string | null;
  layers: ManifestLayer[];
  /** Sum of compressed layer sizes; null for manifest lists (as Quay). */
  layersSize: number | null;
  children: ManifestChild[];
  annotations: Record<string, string>;
  /** Legacy image ids, leaf first (DESIGN 5.4). */
  legacyChain: string[];
  pushedAt: number;
}

/** How many tag ranges (alive or dead) reference a manifest; 0 makes it collectable. */
export interface ManifestRefs {
  digest: string;
  refs: number;
  /** When queued for GC: the due time. */
  dueAt?: number;
}

export interface Performer {
  username: string;
  isRobot: boolean;
}

/** An audit change, written in the same transaction as the mutation it describes (outbox). */
export interface ChangeRecord {
  kind: string;
  namespace: string;
  repository: string | null;
  performer: Performer | null;
  ip: string | null;
  /** Epoch ms of the mutation. */
  at: number;
  metadata: Record<string, unknown>;
  /** The tag a tag change is about (set by the store's tag writes; feeds tag events, not the audit entry). */
  subject?: TagSubject;
}

/** What a tag event says about the tag a change touched. */
export interface TagSubject {
  tag: string;
  /** The manifest the tag points at after the change (for an end: the one it pointed at). */
  manifestDigest: string;
  /** The manifest an alive tag pointed at before a move; null otherwise. */
  previousManifestDigest: string | null;
  /** The tag's pending expiration after the change (epoch ms), or null. */
  expirationMs: number | null;
}

/** A repository notification (Quay's RepositoryNotification, method webhook). */
export interface NotificationRecord {
  uuid: string;
  title: string | null;
  event: string;
  method: string;
  config: Record<string, unknown>;
  eventConfig: Record<string, unknown>;
  /** The HMAC key of the deliveries' signatures. */
  secret: string;
  /** Consecutive failed deliveries (reset by a success or by the reset route). */
  numberOfFailures: number;
  createdAt: number;
}

/** One delivery attempt of a notification. */
export interface DeliveryRecord {
  id: string;
  event: string;
  /** Epoch ms of the attempt. */
  at: number;
  attempt: number;
  /** refused: the URL may not be called (counts as a failure); skipped: not sent, the notification is disabled. */
  outcome: 'delivered' | 'failed' | 'refused' | 'skipped';
  /** The receiver's HTTP status, or null when no response came. */
  responseCode: number | null;
  error: string | null;
}
