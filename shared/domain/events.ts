/**
 * Tag events: what a tag change looks like to the outside (the EventBridge detail and the body of a
 * tag-event webhook; docs/tag-event.schema.json). Every change kind that touches a tag maps to one
 * event name here; a new kind (auto-prune, immutability) is one more line in TAG_EVENT_OF_CHANGE.
 */
import type { ChangeRecord } from '../store/records.js';

export const EVENT_SOURCE = 'tag-service';
export const EVENT_DETAIL_TYPE = 'Tag Change';

export const TAG_EVENTS = [
  'tag_created',
  'tag_moved',
  'tag_deleted',
  'tag_restored',
  'tag_expired',
  'tag_pruned',
  'tag_immutability_changed',
  'tag_expiration_changed',
] as const;
export type TagEventName = (typeof TAG_EVENTS)[number];

type EventRule = TagEventName | ((change: ChangeRecord) => TagEventName);
/** Create, move and push: a move when an alive tag pointed elsewhere before. */
const createdOrMoved: EventRule = (change) => (change.subject?.previousManifestDigest ? 'tag_moved' : 'tag_created');

/** Audit change kind → tag event. Kinds not listed (repositories, permissions, ...) publish nothing. */
export const TAG_EVENT_OF_CHANGE: Readonly<Record<string, EventRule>> = {
  create_tag: createdOrMoved,
  move_tag: createdOrMoved,
  push_repo: createdOrMoved,
  revert_tag: 'tag_restored',
  delete_tag: 'tag_deleted',
  tag_expired: 'tag_expired',
  change_tag_expiration: 'tag_expiration_changed',
  autoprune_tag_delete: 'tag_pruned',
  change_tag_immutability: 'tag_immutability_changed',
};

export interface TagEvent {
  event: TagEventName;
  /** The change's id: unique per change, the same on every redelivery (deduplicate by it). */
  id: string;
  /** Epoch seconds of the change. */
  at: number;
  repository: string;
  namespace: string;
  name: string;
  tag: string;
  manifest_digest: string;
  previous_manifest_digest: string | null;
  /** The tag's pending expiration after the change (epoch seconds), or null. */
  expiration_ts: number | null;
  performer: null | { name: string; is_robot: boolean };
  /** The audit log kind of the change (`push_repo` for a /v2 push, `create_tag`, ...). */
  change_kind: string;
  operation_id?: string;
}

/** The tag event of a change, or null when the change is not about a tag (or its tag is unknown). */
export function tagEventOf(change: ChangeRecord, id: string): TagEvent | null {
  const rule = TAG_EVENT_OF_CHANGE[change.kind];
  const subject = change.subject;
  if (!rule || !subject || change.repository === null) return null;
  const event: TagEvent = {
    event: typeof rule === 'function' ? rule(change) : rule,
    id,
    at: Math.floor(change.at / 1000),
    repository: `${change.namespace}/${change.repository}`,
    namespace: change.namespace,
    name: change.repository,
    tag: subject.tag,
    manifest_digest: subject.manifestDigest,
    previous_manifest_digest: subject.previousManifestDigest,
    expiration_ts: subject.expirationMs === null ? null : Math.floor(subject.expirationMs / 1000),
    performer: change.performer ? { name: change.performer.username, is_robot: change.performer.isRobot } : null,
    change_kind: change.kind,
  };
  const operationId = change.metadata.operation_id;
  if (typeof operationId === 'string') event.operation_id = operationId;
  return event;
}
