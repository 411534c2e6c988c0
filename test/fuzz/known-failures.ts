/**
 * THE allow-list of the fuzz suite: each entry is one class of failure the suite finds on today's
 * code, with the issue item whose fix removes it and a reproducer. A violation matched by an entry is
 * counted and reported but does not fail the run; anything else fails it. Delete an entry when its
 * fix merges: the replay test in routes.fuzz.test.ts fails while an entry's reproducer no longer
 * reproduces, so a stale entry cannot hide a regression for long. `FUZZ_STRICT=1` ignores this list.
 */
import type { Violation } from './oracle.js';
import type { FuzzCase } from './runner.js';

export type Reproducer = Omit<FuzzCase, 'token' | 'form'> & { tokenLabel: string; form?: FuzzCase['form'] };

export interface KnownFailure {
  id: string;
  /** Issue and item, e.g. "10.1". */
  issue: string;
  summary: string;
  /** A request that shows it (the token is the suite's token of that label; see tokens.ts). */
  reproducer: Reproducer;
  /** Requests that must succeed first (e.g. the push whose listing then breaks). */
  setup?: Reproducer[];
  matches(violation: Violation): boolean;
}

const header = (violation: Violation, name: string) =>
  Object.entries(violation.request.headers).find(([key]) => key.toLowerCase() === name)?.[1];

/** A host (and port) as a URL authority can hold it; anything else must not reach a URL or header. */
const HOST = /^(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.?|\[[0-9A-Fa-f:.]+\])(?::(\d{1,5}))?$/;
const isHost = (value: string) => {
  const match = HOST.exec(value);
  return !!match && (match[1] === undefined || Number(match[1]) <= 65_535);
};

/** The request's external base URL (X-Forwarded-Proto/-Host, or Host) is not a valid one. */
function hostileForwarding(violation: Violation): boolean {
  const forwarded = header(violation, 'x-forwarded-host');
  const host = forwarded !== undefined ? forwarded : header(violation, 'host');
  const proto = header(violation, 'x-forwarded-proto');
  return (host !== undefined && !isHost(host)) || (proto !== undefined && proto !== 'http' && proto !== 'https');
}

function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** A path segment that decodes to something a header cannot carry verbatim. */
const pathNotHeaderSafe = (violation: Violation) =>
  violation.request.target
    .split('?')[0]
    .split('/')
    .some((segment) => /[^\x20-\x7e]|["\\]/.test(decoded(segment)));

function manifestJson(violation: Violation): Record<string, unknown> | undefined {
  try {
    return JSON.parse(violation.request.body?.toString('utf8') ?? '') as Record<string, unknown>;
  } catch {
    return undefined;
  }
}


/** The first value of a query parameter, decoded as the gateway does ('+' is a space). */
function query(violation: Violation, name: string): string | undefined {
  const raw = violation.request.target.split('?').slice(1).join('?');
  for (const part of raw.split('&')) {
    const [key, ...value] = part.split('=');
    if (decoded(key.replace(/\+/g, ' ')) === name) return decoded(value.join('=').replace(/\+/g, ' '));
  }
  return undefined;
}

/** The year of a logs time parameter (MM/DD/YYYY or ISO-8601), if it parses. */
function yearOf(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const quay = /^\s*\d{1,2}\/\d{1,2}\/(\d{1,6})\s*$/.exec(text);
  if (quay) return Number(quay[1]);
  const time = Date.parse(text);
  return Number.isNaN(time) ? undefined : new Date(time).getUTCFullYear();
}

/** The deepest nesting of arrays and objects in a JSON text (strings skipped). */
function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (inString) {
      if (char === '\\') index++;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === '[' || char === '{') deepest = Math.max(deepest, ++depth);
    else if (char === ']' || char === '}') depth--;
  }
  return deepest;
}

/** A JSON body with a string value longer than a DynamoDB item can hold (400 KB). */
function hasItemSizedString(violation: Violation): boolean {
  const text = violation.request.body?.toString('utf8') ?? '';
  return text.length > 350_000 && /"[^"]{350000,}"/.test(text);
}

const isServerError = (violation: Violation) => violation.kind === 'server-error' || (violation.kind === 'broken-after-push' && (violation.response?.status ?? 0) >= 500);
const emptyOrGatewayBody = (violation: Violation) => !violation.response?.text || violation.response.text === '{"message":"Internal Server Error"}';
const STANDARD_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE']);
const INDEX = 'application/vnd.oci.image.index.v1+json';
const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const digestOf = (character: string) => `sha256:${character.repeat(64)}`;
const layer = (size: number) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: digestOf(String(size % 10)), size });

export const knownFailures: KnownFailure[] = [
  {
    id: 'forwarded-headers-reflected',
    issue: '10.1',
    summary: 'X-Forwarded-Host/-Proto (or Host) are used unvalidated as the base URL: error bodies carry `type` URLs such as "a b://[::1/api/v1/error/…", and WWW-Authenticate realms break the header syntax',
    reproducer: {
      method: 'GET',
      target: '/api/v1/repository/devtable/simple/tag/',
      headers: { 'x-forwarded-host': '"><script>alert(1)</script>' },
      tokenLabel: 'none',
    },
    matches: (violation) =>
      hostileForwarding(violation) &&
      ((violation.kind === 'error-shape' && violation.message.includes('type is not a well-formed URL')) || violation.kind === 'bad-header'),
  },
  {
    id: 'forwarded-host-unparseable-500',
    issue: '10.1',
    summary: 'On /v2 routes an X-Forwarded-Host/Host that is not a URL host makes bearerChallenge() throw (`new URL`) or puts non-Latin-1 characters into WWW-Authenticate: 500',
    reproducer: { method: 'GET', target: '/v2/', headers: { 'x-forwarded-host': '[' }, tokenLabel: 'none' },
    matches: (violation) => isServerError(violation) && violation.handler.startsWith('v2-') && hostileForwarding(violation),
  },
  {
    id: 'path-reflected-into-challenge',
    issue: '10.2',
    summary: 'A /v2 namespace or repository that decodes to non-Latin-1 characters (or `"`) is copied into the WWW-Authenticate scope: Node refuses the header (500 from the gateway) or the header is malformed',
    reproducer: { method: 'GET', target: '/v2/%F0%9F%92%A9/simple/manifests/latest', headers: {}, tokenLabel: 'none' },
    matches: (violation) =>
      violation.handler.startsWith('v2-') &&
      !hostileForwarding(violation) &&
      pathNotHeaderSafe(violation) &&
      ((isServerError(violation) && emptyOrGatewayBody(violation)) || violation.kind === 'bad-header'),
  },
  {
    id: 'subject-not-a-name-authenticates',
    issue: '10.2',
    summary: 'A well-signed token whose subject is not a user or robot name ("devtable\\u00a0" trimmed to devtable, "Devtable", "devtable/x", "+ci", "devtable+CI"…) authenticates as that string instead of being anonymous',
    reproducer: { method: 'GET', target: '/api/v1/user/logs', headers: {}, tokenLabel: 'subject "Devtable"' },
    matches: (violation) => violation.kind === 'not-anonymous' && (violation.context.token ?? '').startsWith('subject '),
  },
  {
    id: 'token-without-exp-accepted',
    issue: '10.2',
    summary: 'A token without `exp` is accepted (it never expires)',
    reproducer: { method: 'GET', target: '/api/v1/repository/devtable/simple', headers: {}, tokenLabel: 'devtable without exp' },
    matches: (violation) => violation.kind === 'not-anonymous' && violation.context.token === 'devtable without exp',
  },
  {
    id: 'node-parser-refusal-empty-400',
    issue: '10.1',
    summary: "A request Node's HTTP parser refuses (an unknown method such as FOO, PROPFIND or lower-case get; raw non-ASCII bytes in the request target) gets Node's bare 400 with no body, not a JSON error",
    reproducer: { method: 'FOO', target: '/api/v1/user/', headers: {}, tokenLabel: 'none' },
    matches: (violation) =>
      violation.kind === 'error-shape' &&
      violation.response?.status === 400 &&
      violation.response.bytes === 0 &&
      (!STANDARD_METHODS.has(violation.request.method) || /[^\x21-\x7e]/.test(violation.request.target)),
  },
  {
    id: 'node-oversized-headers-empty-431',
    issue: '10.1',
    summary: "Request headers over Node's 16 KiB limit get Node's bare 431 with no body, not a JSON error",
    reproducer: { method: 'GET', target: '/api/v1/repository/devtable/simple/tag/', headers: { 'x-pad': 'p'.repeat(20_000) }, tokenLabel: 'none' },
    matches: (violation) => violation.kind === 'error-shape' && violation.response?.status === 431 && violation.response.bytes === 0,
  },
  {
    id: 'index-child-twice-500',
    issue: '10.1',
    summary: 'An index naming one child twice makes the push 500 (BatchGetItem "Provided list of item keys contains duplicates")',
    reproducer: {
      method: 'PUT',
      target: '/v2/devtable/simple/manifests/dup',
      headers: { 'content-type': INDEX },
      body: Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: INDEX, manifests: [1, 2].map(() => ({ mediaType: MANIFEST, digest: digestOf('a'), size: 500 })) })),
      tokenLabel: 'devtable',
    },
    matches: (violation) => {
      const children = manifestJson(violation)?.manifests;
      if (violation.handler !== 'v2-put-manifest' || !Array.isArray(children)) return false;
      const digests = children.map((child) => (child as { digest?: unknown })?.digest).filter((digest) => typeof digest === 'string');
      return new Set(digests).size < digests.length && (isServerError(violation) || violation.kind === 'state-changed');
    },
  },
  {
    id: 'layer-sizes-past-2^53-500-and-orphans',
    issue: '10.1',
    summary: 'Layer sizes summing past 2^53 make the push 500 (marshalling a number past MAX_SAFE_INTEGER) after the legacy-image index items (IMG#…) were written: they stay behind for a manifest never stored',
    reproducer: {
      method: 'PUT',
      target: '/v2/devtable/simple/manifests/huge',
      headers: { 'content-type': MANIFEST },
      body: Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MANIFEST, config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: digestOf('c'), size: 10 }, layers: [layer(2 ** 52), layer(2 ** 52 + 1)] })),
      tokenLabel: 'devtable',
    },
    matches: (violation) => {
      const layers = manifestJson(violation)?.layers;
      if (violation.handler !== 'v2-put-manifest' || !Array.isArray(layers)) return false;
      const total = layers.reduce((sum: number, item) => sum + (typeof (item as { size?: unknown })?.size === 'number' ? ((item as { size: number }).size) : 0), 0);
      return total > Number.MAX_SAFE_INTEGER && (isServerError(violation) || violation.kind === 'state-changed');
    },
  },
  {
    id: 'log-window-past-2286-500',
    issue: '10.1',
    summary: 'A logs window ending after 2286 (13-digit epoch ms) builds a sort-key range whose string bounds compare backwards: DynamoDB refuses the BETWEEN, 500',
    reproducer: { method: 'GET', target: '/api/v1/user/logs?endtime=01/01/2287', headers: {}, tokenLabel: 'devtable' },
    matches: (violation) => {
      if (!isServerError(violation) || !violation.handler.endsWith('-logs') || query(violation, 'next_page') !== undefined) return false;
      return [query(violation, 'starttime'), query(violation, 'endtime')].some((value) => {
        const year = yearOf(value);
        return year !== undefined && (year > 2286 || year < 1970);
      });
    },
  },
  {
    id: 'logs-cursor-window-unchecked-500',
    issue: '10.1',
    summary: 'A forged logs next_page whose window is out of order or out of range (endMs < startMs, 1e308…) reaches DynamoDB: 500',
    reproducer: {
      method: 'GET',
      target: `/api/v1/user/logs?next_page=${Buffer.from(
        JSON.stringify({
          scope: '["logs","devtable",null]',
          from: {
            key: { PK: 'REPO#devtable/simple', SK: '1700000000000#00000000-0000-4000-8000-000000000000', nsKey: 'NS#devtable' },
            startMs: 1_700_000_000_000,
            endMs: 1,
          },
        }),
      ).toString('base64url')}`,
      headers: {},
      tokenLabel: 'devtable',
    },
    matches: (violation) => isServerError(violation) && violation.handler.endsWith('-logs') && query(violation, 'next_page') !== undefined,
  },
  {
    id: 'deep-json-body-500',
    issue: '10.1',
    summary: 'A JSON body nested ~10,000 deep in a field the schema refuses overflows the stack while the error message is built (pythonRepr): 500',
    reproducer: {
      method: 'PUT',
      target: '/api/v1/repository/devtable/simple/tag/latest',
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(`{"expiration": ${'['.repeat(10_000)}${']'.repeat(10_000)}}`),
      tokenLabel: 'devtable',
    },
    matches: (violation) => isServerError(violation) && nestingDepth(violation.request.body?.toString('utf8') ?? '') > 1_000,
  },
  {
    id: 'item-sized-text-field-500',
    issue: '10.1',
    summary: 'A description or email longer than a DynamoDB item (400 KB) is written as is: DynamoDB refuses the item, 500 (no maximum length on text fields)',
    reproducer: {
      method: 'POST',
      target: '/api/v1/organization/',
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(JSON.stringify({ name: 'bigmail', email: 'e'.repeat(420_000) })),
      tokenLabel: 'devtable',
    },
    matches: (violation) => isServerError(violation) && hasItemSizedString(violation),
  },
  {
    id: 'deep-manifest-breaks-listings',
    issue: '10.1',
    summary: 'A manifest with an unknown field nested ~20,000 deep is accepted; afterwards GET …/tag/ answers 500 to everyone (the tag row embeds the manifest; serializing it overflows the stack)',
    setup: [
      { method: 'POST', target: '/api/v1/repository', headers: { 'content-type': 'application/json' }, body: Buffer.from('{"namespace":"devtable","repository":"reprodeep","visibility":"public"}'), tokenLabel: 'devtable' },
      {
        method: 'PUT',
        target: '/v2/devtable/reprodeep/manifests/latest',
        headers: { 'content-type': MANIFEST },
        body: Buffer.from(`{"schemaVersion":2,"mediaType":"${MANIFEST}","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"${digestOf('c')}","size":10},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"${digestOf('1')}","size":10}],"x":${'['.repeat(20_000)}${']'.repeat(20_000)}}`),
        tokenLabel: 'devtable',
      },
    ],
    reproducer: { method: 'GET', target: '/api/v1/repository/devtable/reprodeep/tag/', headers: {}, tokenLabel: 'none', context: { poison: 'deep-unknown-field' } },
    matches: (violation) => isServerError(violation) && violation.context.poison === 'deep-unknown-field',
  },
  {
    id: 'many-layers-images-too-large',
    issue: '10.3',
    summary: 'A manifest of 1,500 layers (about 230 KB) is accepted; afterwards GET …/tag/latest/images answers about 73 MB (ancestors strings grow with the square of the layer count), over Lambda\'s 6 MB',
    setup: [
      { method: 'POST', target: '/api/v1/repository', headers: { 'content-type': 'application/json' }, body: Buffer.from('{"namespace":"devtable","repository":"reprolayers","visibility":"public"}'), tokenLabel: 'devtable' },
      {
        method: 'PUT',
        target: '/v2/devtable/reprolayers/manifests/latest',
        headers: { 'content-type': MANIFEST },
        body: Buffer.from(
          JSON.stringify({
            schemaVersion: 2,
            mediaType: MANIFEST,
            config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: digestOf('c'), size: 10 },
            layers: Array.from({ length: 1_500 }, (_, n) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: `sha256:${n.toString(16).padStart(64, '0')}`, size: 1_000 + n })),
          }),
        ),
        tokenLabel: 'devtable',
      },
    ],
    reproducer: { method: 'GET', target: '/api/v1/repository/devtable/reprolayers/tag/latest/images', headers: {}, tokenLabel: 'none', context: { poison: 'many-layers' } },
    matches: (violation) =>
      violation.context.poison === 'many-layers' &&
      (violation.kind === 'response-too-large' || (violation.kind === 'broken-after-push' && violation.message.includes("exceed Lambda's"))),
  },
];
