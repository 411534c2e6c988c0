/**
 * Repository notifications (Quay's API, method webhook): validation of a create request, the view,
 * which events a notification receives and what its webhook body is.
 */
import { RE2JS } from 're2js';
import type { NotificationRecord } from '../store/records.js';
import { TAG_EVENTS, type TagEvent } from './events.js';

export const NOTIFICATION_EVENTS = ['repo_push', 'repo_image_expiry', ...TAG_EVENTS] as const;
export const NOTIFICATION_METHODS = ['webhook'] as const;
export const MAX_TAG_PATTERN_LENGTH = 256;
export const MAX_EXPIRY_DAYS = 365;
export const MAX_TITLE_LENGTH = 255;
/** A repository holds at most this many notifications (Quay lists them unpaged). */
export const MAX_NOTIFICATIONS = 50;

/** Quay's view of a notification (the secret is never part of it). */
export function notificationView(record: NotificationRecord) {
  return {
    uuid: record.uuid,
    title: record.title,
    event: record.event,
    method: record.method,
    config: record.config,
    event_config: record.eventConfig,
    number_of_failures: record.numberOfFailures,
  };
}

/** Compiles a full-match tag pattern in linear time; null when RE2 refuses it. */
export function compileTagPattern(pattern: string): RE2JS | null {
  try {
    return RE2JS.compile(pattern);
  } catch {
    return null;
  }
}

/** Why an event (and its eventConfig) is refused, or null; `eventConfig` is checked, unlike Quay. */
export function eventConfigProblem(event: string, eventConfig: Record<string, unknown>): string | null {
  if (!(NOTIFICATION_EVENTS as readonly string[]).includes(event)) return `Unknown event. Must be one of: ${NOTIFICATION_EVENTS.join(', ')}`;
  if (event === 'repo_image_expiry') {
    const days = eventConfig.days;
    if (!Number.isSafeInteger(days) || (days as number) < 1 || (days as number) > MAX_EXPIRY_DAYS) return `eventConfig.days must be a whole number of days, 1 to ${MAX_EXPIRY_DAYS}`;
  }
  if ((TAG_EVENTS as readonly string[]).includes(event) && eventConfig.tag_pattern !== undefined) {
    const pattern = eventConfig.tag_pattern;
    if (typeof pattern !== 'string' || pattern.length === 0 || pattern.length > MAX_TAG_PATTERN_LENGTH || !compileTagPattern(pattern)) {
      return 'eventConfig.tag_pattern must be a regular expression RE2 accepts (full match, at most 256 characters)';
    }
  }
  return null;
}

/** Whether a notification receives a tag event; repo_push is the tag event of a /v2 push. */
export function notificationMatches(record: NotificationRecord, event: TagEvent): boolean {
  if (record.event === 'repo_push') return event.change_kind === 'push_repo';
  if (record.event !== event.event) return false;
  const pattern = record.eventConfig.tag_pattern;
  return typeof pattern !== 'string' || compileTagPattern(pattern)?.matches(event.tag) === true;
}

/** Quay's repository event data: the start of every repository webhook body. */
export function repositoryEventData(namespace: string, name: string, serverHost: string) {
  return {
    repository: `${namespace}/${name}`,
    namespace,
    name,
    docker_url: `${serverHost}/${namespace}/${name}`,
    homepage: `https://${serverHost}/repository/${namespace}/${name}`,
  };
}

/** The webhook body of an event for a notification: Quay's payloads for repo_* events, the tag event otherwise. */
export function webhookBody(record: NotificationRecord, event: TagEvent, serverHost: string): Record<string, unknown> {
  if (record.event === 'repo_push') return { ...repositoryEventData(event.namespace, event.name, serverHost), updated_tags: [event.tag] };
  return { ...event };
}

/** The sample a test delivery sends (Quay's get_sample_data, and a sample tag event). */
export function sampleBody(record: NotificationRecord, namespace: string, name: string, serverHost: string, nowMs: number): Record<string, unknown> {
  const base = repositoryEventData(namespace, name, serverHost);
  if (record.event === 'repo_push') return { ...base, updated_tags: ['latest', 'foo'], pruned_image_count: 3 };
  if (record.event === 'repo_image_expiry') return { ...base, notification_uuid: record.uuid, tags: ['latest', 'v1'], expiring_in: `${String(record.eventConfig.days)} days` };
  return {
    event: record.event,
    id: 'test',
    at: Math.floor(nowMs / 1000),
    repository: base.repository,
    namespace,
    name,
    tag: 'latest',
    manifest_digest: `sha256:${'0'.repeat(64)}`,
    previous_manifest_digest: null,
    expiration_ts: null,
    performer: null,
    change_kind: 'test',
  };
}
