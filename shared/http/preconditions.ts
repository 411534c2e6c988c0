/**
 * The conditional-write headers of the tag routes: `If-Match: "<manifest digest>"` (the tag must be
 * alive at that manifest) and, where a write may create the tag, `If-None-Match: *` (it must not
 * be alive). Anything else in them is a 400: a script that meant a condition must not get an
 * unconditional write.
 */
import { isValidDigest } from '../domain/digest.js';
import type { TagExpectation } from '../domain/preconditions.js';
import { quay } from './errors.js';
import type { ApiRequest } from './pipeline.js';

const QUOTED = /^"([^"]{1,200})"$/;

export function expectationOf(request: ApiRequest, options: { noneMatch: boolean }): TagExpectation | undefined {
  const ifMatch = request.headers['if-match'];
  const ifNoneMatch = request.headers['if-none-match'];
  if (ifMatch !== undefined && ifNoneMatch !== undefined) throw quay.invalidRequest('Send either If-Match or If-None-Match');
  if (ifMatch !== undefined) {
    const digest = QUOTED.exec(ifMatch.trim())?.[1];
    if (!digest || !isValidDigest(digest)) throw quay.invalidRequest('If-Match must be one quoted manifest digest');
    return { kind: 'alive_at', digest };
  }
  if (ifNoneMatch !== undefined) {
    if (!options.noneMatch || ifNoneMatch.trim() !== '*') throw quay.invalidRequest('If-None-Match: * is the only form accepted, on PUT');
    return { kind: 'not_alive' };
  }
  return undefined;
}
