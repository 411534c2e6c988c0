/**
 * fast-check arbitraries for hostile requests: path segments, whole-path mutations, query strings,
 * headers and bodies. Everything is drawn from the route's own shape (route-table.ts) and the
 * world's real names, so a generated request reaches deep into a handler as often as it bounces.
 */
import fc from 'fast-check';
import { bodySchemas, type BodySchemaName } from '../../shared/http/schemas.js';
import { deepArray, deepObject, RawJson, renderJson } from './json-text.js';
import type { FuzzRoute } from './route-table.js';
import { AUTH_FORMS, INVALID_SUBJECTS, type AuthForm, type TokenChoice } from './tokens.js';
import type { World } from './world.js';

/** Marks the place of the pushed body's own digest in a /v2 manifest path (filled in by the test). */
export const DIGEST_OF_BODY = '@digest-of-body@';

const enc = encodeURIComponent;

/** Raw (already percent-encoded) path segments a client should not be able to hurt us with. */
export const hostileSegment: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(
    '%2F', 'a%2Fb', 'devtable%2Fsimple', '%2f..%2f', '%00', 'a%00', 'latest%00', '.', '..', '%2e', '%2e%2e', '%2E%2E', '...',
    '%', '%zz', '%E2%82', '%C2%A0', 'devtable%C2%A0', 'latest%E2%80%83', '%20', '+', 'a+b', '%0A', 'latest%0A', '%0D%0A',
    '~', "!$&'()*,;=:@", 'sha256:', `sha256:${'A'.repeat(64)}`, `sha256:${'0'.repeat(64)}`, `sha512:${'0'.repeat(128)}`,
    `sha256:${'0'.repeat(63)}`, 'sha384:abc', 'DEVTABLE', '%25', '%2541', '%F0%9F%92%A9', '%ED%A0%80', '%FF', '%C0%AF',
    '%7Bns%7D', '-', '_', '-latest', '.latest', 'a'.repeat(129), 'a'.repeat(256), `${'é'.repeat(130)}`, 'devtable+ci',
    'devtable%2Bci', 'x+y+z', '__proto__', 'constructor', 'toString', 'null', 'undefined', '0', '-1', '1e400',
  ) },
  { weight: 2, arbitrary: fc.integer({ min: 200, max: 6000 }).map((length) => 'x'.repeat(length)) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }).map(enc) },
  { weight: 2, arbitrary: fc.string({ unit: fc.constantFrom(...'az09._-~:+@'.split(''), '%2F', '%00', '%2e', '%C2%A0'), minLength: 1, maxLength: 10 }) },
);

const validTag = fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}$/);

function paramArbitrary(name: string, world: World): fc.Arbitrary<string> {
  const pick = (...values: string[]) => fc.constantFrom(...values);
  switch (name) {
    case 'ns':
      return fc.oneof({ weight: 6, arbitrary: pick(...world.namespaces, 'nosuchns') }, { weight: 1, arbitrary: hostileSegment });
    case 'repo':
      return fc.oneof({ weight: 6, arbitrary: pick(...world.repositories.map((repo) => repo.name), 'nosuchrepo') }, { weight: 1, arbitrary: hostileSegment });
    case 'tag':
      return fc.oneof({ weight: 5, arbitrary: pick(...world.allTags, 'newtag', 'v9') }, { weight: 2, arbitrary: validTag }, { weight: 2, arbitrary: hostileSegment });
    case 'reference':
      return fc.oneof(
        { weight: 4, arbitrary: pick(...world.allTags, 'newtag') },
        { weight: 3, arbitrary: pick(...world.allDigests) },
        { weight: 2, arbitrary: fc.constant(DIGEST_OF_BODY) },
        { weight: 2, arbitrary: hostileSegment },
      );
    case 'org':
      return fc.oneof({ weight: 5, arbitrary: pick(...world.organizations, ...world.namespaces, 'nosuchorg') }, { weight: 2, arbitrary: hostileSegment });
    case 'username':
      return fc.oneof(
        { weight: 5, arbitrary: pick(...world.users, ...world.robots, 'other+ci', 'nobody', 'public+bot') },
        { weight: 1, arbitrary: pick(...INVALID_SUBJECTS.filter(Boolean).map(enc)) },
        { weight: 2, arbitrary: hostileSegment },
      );
    default:
      return hostileSegment;
  }
}

/** Path parameters for a route: mostly a real repository of the world, sometimes anything. */
export function paramsArbitrary(route: FuzzRoute, world: World): fc.Arbitrary<Record<string, string>> {
  const perName = Object.fromEntries(route.params.map((name) => [name, paramArbitrary(name, world)]));
  const generic = fc.record(perName) as fc.Arbitrary<Record<string, string>>;
  if (!route.params.includes('ns') || !route.params.includes('repo')) return generic;
  const real = fc
    .tuple(fc.constantFrom(...world.repositories), generic)
    .map(([repo, rest]) => ({ ...rest, ns: repo.ns, repo: repo.name }));
  return fc.oneof({ weight: 3, arbitrary: real }, { weight: 1, arbitrary: generic });
}

export type PathMutation =
  | 'none' | 'toggle-trailing-slash' | 'double-slash' | 'dot-segment' | 'dotdot-segment' | 'extra-segment'
  | 'unknown-leaf' | 'upper-case-literal' | 'drop-last-segment' | 'blobs' | 'encoded-slash-join';

export const pathMutation: fc.Arbitrary<PathMutation> = fc.oneof(
  { weight: 12, arbitrary: fc.constant('none' as const) },
  { weight: 4, arbitrary: fc.constantFrom<PathMutation>('toggle-trailing-slash', 'double-slash', 'dot-segment', 'dotdot-segment', 'extra-segment', 'unknown-leaf', 'upper-case-literal', 'drop-last-segment', 'blobs', 'encoded-slash-join') },
);

/** The route's path with its parameters filled in (raw), then possibly bent out of shape. */
export function buildPath(route: FuzzRoute, params: Record<string, string>, mutation: PathMutation): string {
  const segments = route.segments.map((segment) => (/^\{\w+\}$/.test(segment) ? params[segment.slice(1, -1)] ?? 'x' : segment));
  const path = `/${segments.join('/')}`;
  const literalIndex = route.segments.findIndex((segment) => segment !== '' && !/^\{\w+\}$/.test(segment));
  switch (mutation) {
    case 'none':
      return path;
    case 'toggle-trailing-slash':
      return path.endsWith('/') ? path.slice(0, -1) : `${path}/`;
    case 'double-slash':
      return path.replace(/\/(?=[^/]*$)/, '//');
    case 'dot-segment':
      return `/${[...segments.slice(0, -1), '.', ...segments.slice(-1)].join('/')}`;
    case 'dotdot-segment':
      return `/${[...segments.slice(0, -1), 'zz', '..', ...segments.slice(-1)].join('/')}`;
    case 'extra-segment':
      return `${path.replace(/\/$/, '')}/extra`;
    case 'unknown-leaf':
      return `/${[...segments.slice(0, -1), 'unknownleaf'].join('/')}`;
    case 'upper-case-literal':
      return `/${segments.map((segment, index) => (index === literalIndex ? segment.toUpperCase() : segment)).join('/')}`;
    case 'drop-last-segment':
      return `/${segments.slice(0, -1).join('/')}`;
    case 'blobs':
      return path.startsWith('/v2/') ? path.replace(/\/(manifests|tags)\/.*$/, `/blobs/sha256:${'0'.repeat(64)}`) : `${path.replace(/\/$/, '')}/blobs`;
    case 'encoded-slash-join': {
      // Two segments become one holding an encoded slash (never the leading slash of the target).
      const at = path.lastIndexOf('/', path.length - 2);
      return at > 0 ? `${path.slice(0, at)}%2F${path.slice(at + 1)}` : `${path}%2F`;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Query strings

const QUERY_NAMES = ['limit', 'page', 'onlyActiveTags', 'specificTag', 'filter_tag_name', 'next_page', 'at', 'owned', 'starttime', 'endtime', 'n', 'last', 'service', 'scope'];

const numberish = fc.constantFrom(
  '0', '1', '-1', '100', '101', '99999999999999999999999', '-99999999999999999999', '9007199254740993', 'NaN', 'Infinity', '-Infinity',
  '1e309', '1e-7', '5.0', '1_0', '1__0', '_10', '0x10', ' 5 ', '', '+3', '١٢', '%00', '1%00', '10000', '2147483648', '102',
);
const instantish = fc.constantFrom(
  '01/01/1969', '12/31/1969', '12/31/9999', '01/01/2287', '02/30/2020', '13/01/2020', '00/00/0000', '1/1/1', '2287-01-01T00:00:00Z',
  '9999-12-31T23:59:59Z', '+275760-09-13T00:00:00Z', '-271821-04-20T00:00:00Z', '1969-12-31T23:59:59Z', '1700000000', '-99999999999',
  '99999999999', '1e20', '253402300800', '10000000000000', 'now', '2023-11-14', '2023-11-14T22:13:20+99:99',
);
const tagish = fc.oneof(fc.constantFrom('latest', 'prod', 'gone', 'like:', 'eq:', 'like:%', 'eq:prod', 'foo:bar', 'nocolon', 'like:%00', 'eq:.bad', `like:${'a'.repeat(3000)}`), validTag, hostileSegment);

/** Real cursors with fields of the wrong type, huge offsets, extra keys, or other scopes. */
function forgedCursor(world: World): fc.Arbitrary<string> {
  const decoded = world.cursors.map((cursor) => JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { scope: unknown; from: Record<string, unknown> });
  const strange = fc.oneof(
    fc.constantFrom<unknown>(1e308, -1, 0, 9007199254740993, true, null, [], {}, { S: 'x' }, ['x'], 'x'.repeat(2000), '', -1e308, 'NaN', { $ne: null }),
    fc.jsonValue({ maxDepth: 3 }),
  );
  const mutated = decoded.length
    ? fc.tuple(fc.constantFrom(...decoded), fc.nat(), strange, fc.constantFrom('field', 'scope', 'from', 'extra-key', 'drop-key', 'whole')).map(([cursor, index, value, how]) => {
        const copy = JSON.parse(JSON.stringify(cursor)) as Record<string, unknown> & { from: Record<string, unknown> };
        const keys = Object.keys(copy.from ?? {});
        const key = keys[index % Math.max(1, keys.length)] ?? 'pk';
        if (how === 'field') copy.from[key] = value;
        else if (how === 'scope') copy.scope = value;
        else if (how === 'from') copy.from = value as Record<string, unknown>;
        else if (how === 'extra-key') copy.from.extra = value;
        else if (how === 'drop-key') delete copy.from[key];
        else return Buffer.from(renderJson(value)).toString('base64url');
        return Buffer.from(JSON.stringify(copy)).toString('base64url');
      })
    : fc.constant('eyJ9');
  return fc.oneof(
    { weight: 5, arbitrary: mutated },
    { weight: 1, arbitrary: fc.constantFrom(...(world.cursors.length ? world.cursors : ['x'])) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((value) => Buffer.from(JSON.stringify(value)).toString('base64url')) },
    { weight: 1, arbitrary: fc.constantFrom('garbage', '====', 'eyJ', '%00', 'x'.repeat(5000), Buffer.from('{"scope":').toString('base64')) },
  );
}

function queryValue(name: string, world: World): fc.Arbitrary<string> {
  switch (name) {
    case 'limit': case 'page': case 'n':
      return numberish;
    case 'at': case 'starttime': case 'endtime':
      return fc.oneof(instantish, numberish);
    case 'next_page':
      return forgedCursor(world);
    case 'specificTag': case 'last': case 'filter_tag_name':
      return tagish;
    case 'onlyActiveTags': case 'owned':
      return fc.constantFrom('true', 'false', 'False', '0', '1', 'null', '', 'yes', 'no', '%00');
    default:
      return fc.oneof(fc.string({ maxLength: 20 }), hostileSegment);
  }
}

/** A query string (without `?`): known names with hostile values, repeated keys, unknown names. */
export function queryArbitrary(world: World): fc.Arbitrary<string> {
  const pair = fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...QUERY_NAMES).chain((name) => queryValue(name, world).map((value) => [name, value] as const)) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom('x', '%00', 'limit[]', '__proto__', 'a'.repeat(2000), ''), fc.string({ maxLength: 10 })) },
  );
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant('') },
    {
      weight: 5,
      arbitrary: fc
        .tuple(fc.array(pair, { minLength: 1, maxLength: 4 }), fc.boolean(), fc.boolean())
        .map(([pairs, repeatFirst, rawValues]) => {
          const all = repeatFirst ? [...pairs, [pairs[0][0], '2'] as const] : pairs;
          // Raw values keep what is already percent-encoded (cursors, %00) as is; others are encoded.
          return all.map(([name, value]) => `${name}=${rawValues || /%[0-9A-Fa-f]{2}/.test(value) ? value.replace(/[^\x21-\x7e]/g, enc).replace(/[#&]/g, enc) : enc(value)}`).join('&');
        }),
    },
  );
}

// ---------------------------------------------------------------------------------------------
// Headers and tokens

const hostileHost = fc.constantFrom(
  'evil.example', 'a b', '"><script>alert(1)</script>', '::::', '[', '[::1', 'host:99999', 'host:-1', 'ex"ample', 'ex\\ample',
  '%00', 'a'.repeat(5000), ',', 'a,b', '', 'm\u00fcnchen.de', '\t', 'host/path', 'user@host', 'host?q', 'host#f', '.', '..', 'localhost:0',
);

export interface HeaderChoice {
  headers: Record<string, string>;
  contentType?: string;
}

export const CONTENT_TYPES = [
  'application/json', 'application/json; charset=utf-8', 'application/json; charset=utf-16', 'text/plain', 'application/octet-stream',
  'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', '', ';;;', 'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json', 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  'APPLICATION/JSON', 'image/png', `application/${'x'.repeat(3000)}`, 'application/json, text/plain',
];

const oddHeaders = fc
  .record(
    {
      'x-forwarded-host': hostileHost,
      'x-forwarded-proto': fc.constantFrom('https', 'http', 'javascript', 'http://x', '', 'a b', 'a"b', 'ftp'),
      host: fc.constantFrom('evil.example', '[', 'a b', 'x'.repeat(1000), ''),
      'x-forwarded-for': fc.constantFrom('1.2.3.4', 'garbage', '', '::1, 10.0.0.1, x'),
      accept: fc.constantFrom('*/*', 'application/vnd.oci.image.index.v1+json', 'text/html', ''),
      'x-pad': fc.integer({ min: 1, max: 6000 }).map((length) => 'p'.repeat(length)),
      cookie: fc.constantFrom('a=b', 'session=x; other', ';;'),
      'content-encoding': fc.constantFrom('gzip', 'br', 'identity'),
    },
    { requiredKeys: [] },
  )
  .filter((headers) => Object.values(headers).reduce((sum, value) => sum + value.length, 0) < 8_000);

/** Usually no odd header at all; otherwise a few, and sometimes a Content-Type other than the body's. */
export const headersArbitrary: fc.Arbitrary<HeaderChoice> = fc.record({
  headers: fc.oneof({ weight: 2, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: oddHeaders as fc.Arbitrary<Record<string, string>> }),
  contentType: fc.oneof({ weight: 5, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom(...CONTENT_TYPES) }),
});

export function tokenArbitrary(tokens: TokenChoice[]): fc.Arbitrary<{ choice: TokenChoice; form: AuthForm }> {
  const real = tokens.filter((token) => !token.anonymous);
  const fake = tokens.filter((token) => token.anonymous);
  return fc.record({
    choice: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...real) }, { weight: 2, arbitrary: fc.constantFrom(...fake) }),
    form: fc.oneof({ weight: 8, arbitrary: fc.constant<AuthForm>('Bearer') }, { weight: 2, arbitrary: fc.constantFrom(...AUTH_FORMS) }),
  });
}

// ---------------------------------------------------------------------------------------------
// Bodies

/** Bodies that are not what any route expects. */
export const hostileRawBody: fc.Arbitrary<Buffer> = fc.oneof(
  fc.constantFrom(
    '', 'null', '[]', '{', '{"a":', 'not json', '\ufeff{}', '"string"', '12', 'true', '{}{}', '{"__proto__": {"admin": true}}',
    `${'['.repeat(10_000)}${']'.repeat(10_000)}`, `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`, `"${'x'.repeat(600_000)}"`,
    '{"a": 1e400}', '{"a": 9007199254740993}', '{"a": -0}', '{"a": "\\ud800"}', '{"a": "\\u0000"}',
  ).map((text) => Buffer.from(text)),
  fc.constantFrom(Buffer.from([0xff, 0xfe, 0x7b, 0x00, 0x7d, 0x00]), Buffer.from([0xc3, 0x28, 0xa0, 0xa1]), Buffer.alloc(2000, 0)),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
);

const hugeString = fc.constantFrom(2_000, 70_000, 420_000).map((length) => 'd'.repeat(length));

/** Strings for a schema property, chosen by its name so they can actually change stored state. */
function stringFor(property: string, world: World): fc.Arbitrary<unknown> {
  const hostile = fc.oneof(
    fc.constantFrom('', ' ', 'a/b', '../x', '%2F', '\u0000', 'a\u00a0', 'é', 'DEVTABLE', '💩', '<script>', '\ud800', 'x'.repeat(256), ...INVALID_SUBJECTS),
    fc.string({ maxLength: 30 }),
    hugeString,
  );
  const picks: Record<string, fc.Arbitrary<unknown>> = {
    manifest_digest: fc.oneof(fc.constantFrom(...world.allDigests), fc.constantFrom(`sha256:${'0'.repeat(64)}`, `sha256:${'A'.repeat(64)}`, 'sha256:abc', `sha512:${'f'.repeat(128)}`)),
    image: fc.oneof(fc.stringMatching(/^[0-9a-f]{64}$/), fc.constantFrom('0'.repeat(64), 'F'.repeat(64))),
    name: fc.oneof(fc.stringMatching(/^[a-z0-9_]{2,12}$/), fc.constantFrom(...world.namespaces, 'devtable+ci')),
    namespace: fc.constantFrom(...world.namespaces, 'nosuchns', 'devtable+ci'),
    repository: fc.oneof(fc.stringMatching(/^[a-z0-9][.a-z0-9_-]{0,12}$/), fc.constantFrom(...world.repositories.map((repo) => repo.name))),
    email: fc.constantFrom('ops@example.com', 'not-an-email'),
    description: fc.string({ maxLength: 40 }),
  };
  return fc.oneof({ weight: 4, arbitrary: picks[property] ?? fc.string({ maxLength: 20 }) }, { weight: 2, arbitrary: hostile });
}

const wrongType = fc.oneof(
  fc.constantFrom<unknown>(null, true, false, 0, -1, 1.5, [], {}, [1], { a: 1 }, 'string', new RawJson('1e400'), new RawJson('9007199254740993'), new RawJson('-0')),
  fc.constantFrom(50, 5_000, 10_000).chain((depth) => fc.constantFrom(deepArray(depth), deepObject(depth))),
);

interface PropertySchema {
  type?: string | readonly string[];
  enum?: readonly string[];
}

function valueFor(property: string, schema: PropertySchema, world: World): fc.Arbitrary<unknown> {
  if (schema.enum) return fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...schema.enum) }, { weight: 1, arbitrary: fc.constantFrom('PUBLIC', 'owner', '', 'read ') });
  const types = ([] as string[]).concat(schema.type ?? 'string');
  const options: fc.Arbitrary<unknown>[] = [];
  const now = Math.floor(Date.now() / 1000);
  for (const type of types) {
    if (type === 'string') options.push(stringFor(property, world));
    if (type === 'null') options.push(fc.constant(null));
    if (type === 'number') {
      options.push(
        fc.oneof(
          fc.integer({ min: now + 60, max: now + 200 * 86_400 }),
          fc.constantFrom<unknown>(now - 10, 0, -1, 1e300, -1e300, 253402300799, 253402300800, 9007199254740991, 1.5, now + 0.5, new RawJson('9007199254740993'), new RawJson('1e400'), new RawJson('1e-400')),
          fc.double({ noNaN: true }),
        ),
      );
    }
    if (type === 'integer') {
      options.push(fc.oneof(fc.constantFrom(0, 86_400, 604_800, 1_209_600, 2_419_200), fc.constantFrom<unknown>(-1, 1, 3600, 1e300, new RawJson('9007199254740993'), new RawJson('1e400'), 86_400.5)));
    }
    if (type === 'boolean') options.push(fc.constantFrom<unknown>(true, false, 'true', 1));
    if (type === 'object') options.push(fc.constantFrom<unknown>({}, { url: 'https://127.0.0.1/hook' }, { days: 1 }, { tag_pattern: '(a+)+$' }, []));
    if (type === 'array') options.push(fc.constantFrom<unknown>([], [{}], [null], new Array(200).fill({ method: 'number_of_tags', value: 1 })));
  }
  // A type the cases above do not know still gets hostile values rather than no generator at all.
  if (options.length === 0) options.push(fc.constantFrom<unknown>(null, true, 0, 'x', {}, []));
  return fc.oneof(...options);
}

/** A body shaped like the route's schema, then (often) mutated: missing, extra or mistyped fields. */
export function schemaBody(name: BodySchemaName, world: World): fc.Arbitrary<string> {
  const schema = bodySchemas[name] as { properties: Record<string, PropertySchema>; required?: readonly string[] };
  const required = new Set(schema.required ?? []);
  const fields = Object.fromEntries(Object.entries(schema.properties).map(([key, property]) => [key, valueFor(key, property, world)]));
  const valid = fc.record(fields, { requiredKeys: [...required] }) as fc.Arbitrary<Record<string, unknown>>;
  const keys = Object.keys(schema.properties);
  const mutated = fc
    .tuple(valid, fc.constantFrom('drop', 'wrong-type', 'extra', 'as-array', 'as-null-fields'), fc.constantFrom(...keys), wrongType)
    .map(([body, how, key, value]) => {
      const copy: Record<string, unknown> = { ...body };
      if (how === 'drop') delete copy[key];
      else if (how === 'wrong-type') copy[key] = value;
      else if (how === 'extra') copy[`extra_${key}`] = value;
      else if (how === 'as-null-fields') for (const field of keys) copy[field] = null;
      else return [copy];
      return copy;
    });
  return fc
    .tuple(fc.oneof({ weight: 3, arbitrary: valid }, { weight: 2, arbitrary: mutated }), fc.boolean())
    .map(([body, pretty]) => renderJson(body, pretty));
}
