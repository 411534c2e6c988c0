/**
 * The guard every tag write puts on the tag's pointer item (the concurrency anchor of the tag model,
 * docs/data-model.md): one condition expression built from composable parts.
 */
import type { LiveTag, TagExpectation } from './records.js';

/**
 * The condition on a tag's pointer: still exactly the one read (by version; or none exists); for
 * writes that end or replace its range, not immutable; and, for a conditional write, the expectation
 * the client stated. All are conditions of the write's own transaction (not only checks of what was
 * read), so a move racing a "make immutable" or another writer loses whichever order they commit in.
 */
export interface PointerGuard {
  expect?: TagExpectation;
  nowMs?: number;
  /** Default true: the pointer must not be immutable (false: clearing an expiration, setting the flag). */
  requireMutable?: boolean;
}

export function pointerCondition(current: LiveTag | null, guard: PointerGuard = {}) {
  const { expect, nowMs = 0, requireMutable = true } = guard;
  const parts = [current ? 'version = :version' : 'attribute_not_exists(PK)'];
  const values: Record<string, unknown> = current ? { ':version': current.version } : {};
  const names: Record<string, string> = {};
  if (current && requireMutable) {
    parts.push('NOT immutable = :immutable');
    values[':immutable'] = true;
  }
  if (expect) {
    names['#end'] = 'end';
    values[':expectNow'] = nowMs;
    if (expect.kind === 'alive_at') {
      parts.push('manifestDigest = :expectDigest AND attribute_not_exists(endedBy) AND (attribute_not_exists(#end) OR #end > :expectNow)');
      values[':expectDigest'] = expect.digest;
    } else {
      parts.push('(attribute_not_exists(PK) OR attribute_exists(endedBy) OR #end <= :expectNow)');
    }
  }
  return {
    ConditionExpression: parts.join(' AND '),
    ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
    ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
  };
}
