/**
 * The bounds every parsed input and every response respects (docs/api.md, "Limits"). They exist so
 * that no input the service accepts can make a later request fail: a value too deep for a recursive
 * serializer, an instant a 13-digit key cannot order, or a response larger than Lambda returns.
 */

/** Deepest nesting of arrays and objects accepted in a JSON body or a manifest. */
export const MAX_JSON_DEPTH = 64;

/**
 * Instants the API accepts, in epoch ms: keys hold times as 13 zero-padded digits, which order
 * correctly from 1970-01-01 up to 2286-11-20T17:46:39.999Z and not beyond.
 */
export const MIN_INSTANT_MS = 0;
export const MAX_INSTANT_MS = 9_999_999_999_999;

export function isAcceptedInstant(ms: number): boolean {
  return Number.isSafeInteger(ms) && ms >= MIN_INSTANT_MS && ms <= MAX_INSTANT_MS;
}

/**
 * What one response may weigh, in bytes of the Lambda response payload (the body is itself a JSON
 * string there, so its quotes and backslashes count twice). Lambda refuses more than 6 MB; the rest
 * is headroom for the envelope and headers.
 */
export const RESPONSE_BUDGET_BYTES = 6_000_000;

/** Rows a tag listing page may hold (Quay's `limit` maximum). */
export const MAX_LIST_ROWS = 100;

/**
 * The largest manifest a listing row embeds, measured as it travels in the response payload
 * (`payloadBytes`): 100 rows of this size plus their other fields stay within the budget. A
 * larger manifest is still stored and served by /v2; its rows simply carry no `manifest` key.
 */
export const MAX_EMBEDDED_MANIFEST_BYTES = 56 * 1024;

/**
 * The most layers an image manifest may have. `/images` answers one entry per layer whose
 * `ancestors` lists every image below it, so its size grows with the square of the layer count:
 * see `legacyImagesResponseBytes`; 256 layers weigh about 2.2 MB (Docker itself stops at 127).
 */
export const MAX_LAYERS = 256;

/** Children a manifest list may name. */
export const MAX_LIST_CHILDREN = 1024;

/** Upper bound of the `/images` response payload for a chain of `layers` images. */
export function legacyImagesResponseBytes(layers: number): number {
  // One entry: 64-hex id, a date, the fixed keys and numbers (about 250 bytes escaped), plus an
  // ancestors string of 65 bytes per image below it.
  const perEntry = 250;
  const perAncestor = 65;
  return 64 + layers * perEntry + (perAncestor * layers * (layers - 1)) / 2;
}

/** Bytes a JSON value takes inside the Lambda response payload (a JSON string holding the body). */
export function payloadBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(JSON.stringify(value)));
}

/** Maximum lengths of free-text fields (characters); longer values are a 400. */
export const MAX_DESCRIPTION_LENGTH = 50_000;
export const MAX_EMAIL_LENGTH = 254;

/**
 * Nesting depth of a JSON text, scanned without recursion (strings skipped), so a deep document is
 * measured before anything recursive sees it. Returns as soon as `limit` is exceeded.
 */
export function jsonDepthExceeds(text: string, limit = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const char = text.charCodeAt(index);
    if (inString) {
      if (char === 0x5c) index++; // backslash: skip the escaped character
      else if (char === 0x22) inString = false;
    } else if (char === 0x22) inString = true;
    else if (char === 0x5b || char === 0x7b) {
      if (++depth > limit) return true;
    } else if (char === 0x5d || char === 0x7d) depth--;
  }
  return false;
}

/** JSON.parse, refusing (null) a text nested deeper than MAX_JSON_DEPTH; throws on invalid JSON. */
export function parseBoundedJson(text: string): { value: unknown } | null {
  if (jsonDepthExceeds(text)) return null;
  return { value: JSON.parse(text) };
}

/**
 * Tag changes in one POST …/tag/ (one TransactWriteItems, at most 100 items). A change writes at
 * most 7 items: close the old range, the new range, the pointer, a manifest reference, a
 * reachability check, and two audit changes (the move and a finalized expiry); 14 × 7 = 98.
 */
export const TRANSACTION_MAX_ITEMS = 100;
export const ITEMS_PER_TAG_CHANGE = 7;
export const MAX_TAG_CHANGES = Math.floor(TRANSACTION_MAX_ITEMS / ITEMS_PER_TAG_CHANGE);
