/** Pure tag rules: liveness, expiration clamping, range starts (quay-tag-api.md §5). */
import type { TagRange } from '../store/records.js';

/** A tag is alive iff it has no end or its end is still ahead (strict, to the millisecond). */
export function isAlive(range: Pick<TagRange, 'end' | 'endedBy'>, nowMs: number): boolean {
  return range.endedBy === undefined && (range.end === undefined || range.end > nowMs);
}

export const EXPIRATION_MIN_S = 3600;
export const EXPIRATION_MAX_S = 104 * 7 * 24 * 3600;

/**
 * Quay's change_tag_expiration clamp: the offset from the tag's START (not from now) is kept within
 * [1 hour, 104 weeks]; the end keeps the start's sub-second remainder.
 */
export function clampedExpirationEnd(startMs: number, requestedEpochS: number): number {
  const offset = Math.floor(requestedEpochS) - Math.floor(startMs / 1000);
  return startMs + Math.min(Math.max(offset, EXPIRATION_MIN_S), EXPIRATION_MAX_S) * 1000;
}

/** Largest epoch second Python's datetime accepts (9999-12-31T23:59:59Z); larger is a 400, not a 500. */
export const MAX_EPOCH_S = 253_402_300_799;

/** A requested expiration (epoch seconds) must be a real instant in the future. */
export function isUsableExpiration(epochS: number, nowMs: number): boolean {
  return Number.isFinite(epochS) && Math.abs(epochS) <= MAX_EPOCH_S && epochS * 1000 > nowMs;
}

/**
 * The start of a new range after `previous` (the name's newest range, from its pointer): now, but
 * always after the previous start and never before a previous end that has passed, so the ranges of
 * one name never share a start or overlap, even when two writers act within one millisecond or a
 * Lambda's clock lags behind the one that closed the previous range.
 */
export function nextRangeStart(nowMs: number, previous: Pick<TagRange, 'start' | 'end' | 'endedBy'> | null): number {
  if (!previous) return nowMs;
  const closedEnd = previous.endedBy !== undefined || (previous.end !== undefined && previous.end <= nowMs) ? previous.end ?? 0 : 0;
  return Math.max(nowMs, previous.start + 1, closedEnd);
}
