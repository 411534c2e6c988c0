/** Whole generated requests for one route of the table: method, path, query, headers, token, body. */
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { MAX_HEADER_BYTES } from '../../infra/local/limits.js';
import {
  buildPath, DIGEST_OF_BODY, headersArbitrary, hostileRawBody, paramsArbitrary, pathMutation, queryArbitrary, schemaBody, tokenArbitrary,
} from './generators.js';
import { manifestArbitrary } from './manifest-generators.js';
import type { FuzzRoute } from './route-table.js';
import type { FuzzCase } from './runner.js';
import type { TokenChoice } from './tokens.js';
import type { World } from './world.js';

interface BodyChoice {
  bytes?: Buffer;
  contentType?: string;
  digest?: string;
  label: string;
}

function bodyArbitrary(route: FuzzRoute, world: World): fc.Arbitrary<BodyChoice> {
  const none = fc.constant<BodyChoice>({ label: 'none' });
  const hostile = hostileRawBody.map<BodyChoice>((bytes) => ({ bytes, contentType: 'application/json', label: 'hostile raw body' }));
  if (route.manifestBody) {
    const manifest = manifestArbitrary(world).map<BodyChoice>((generated) => ({
      bytes: Buffer.from(generated.text),
      contentType: generated.contentType,
      digest: generated.digest,
      label: `manifest ${generated.mediaType ?? '(no mediaType)'}`,
    }));
    return fc.oneof({ weight: 8, arbitrary: manifest }, { weight: 2, arbitrary: hostile }, { weight: 1, arbitrary: none });
  }
  if (route.schema) {
    const schema = route.schema;
    const shaped = schemaBody(schema, world).map<BodyChoice>((text) => ({ bytes: Buffer.from(text), contentType: 'application/json', label: `${schema} body` }));
    return fc.oneof({ weight: 8, arbitrary: shaped }, { weight: 2, arbitrary: hostile }, { weight: 1, arbitrary: none });
  }
  return fc.oneof({ weight: 8, arbitrary: none }, { weight: 1, arbitrary: hostile });
}

/**
 * The gateway refuses a request line plus headers over 10 KB (431) before any route sees it: stay
 * under, so the case reaches its route (the node-level property covers the refusal itself).
 */
const MAX_HEAD_BYTES = MAX_HEADER_BYTES - 1_024;

export function caseArbitrary(route: FuzzRoute, world: World, tokens: TokenChoice[]): fc.Arbitrary<FuzzCase> {
  return fc
    .record({
      params: paramsArbitrary(route, world),
      mutation: pathMutation,
      query: route.route.method === 'GET' || route.route.method === 'HEAD' ? queryArbitrary(world) : fc.oneof({ weight: 4, arbitrary: fc.constant('') }, { weight: 1, arbitrary: queryArbitrary(world) }),
      headers: headersArbitrary,
      auth: fc.oneof({ weight: 1, arbitrary: fc.constant(undefined) }, { weight: 5, arbitrary: tokenArbitrary(tokens) }),
      body: bodyArbitrary(route, world),
      method: fc.oneof({ weight: 25, arbitrary: fc.constant(route.route.method as string) }, { weight: 1, arbitrary: fc.constantFrom('GET', 'PUT', 'POST', 'DELETE', 'HEAD', 'PATCH', 'OPTIONS') }),
    })
    .map(({ params, mutation, query, headers, auth, body, method }) => {
      const filled = { ...params };
      for (const [name, value] of Object.entries(filled)) {
        if (value !== DIGEST_OF_BODY) continue;
        filled[name] = body.digest ?? `sha256:${createHash('sha256').update(body.bytes ?? '').digest('hex')}`;
      }
      const path = buildPath(route, filled, mutation);
      const allHeaders: Record<string, string> = { ...headers.headers };
      const contentType = headers.contentType ?? body.contentType;
      if (body.bytes !== undefined && contentType !== undefined) allHeaders['content-type'] = contentType;
      const token: TokenChoice = auth?.choice ?? { label: 'none', anonymous: true };
      return {
        method,
        target: query ? `${path}?${query}` : path,
        headers: allHeaders,
        body: body.bytes,
        token,
        form: auth?.form ?? 'Bearer',
        context: { route: route.key, pathMutation: mutation, body: body.label },
      } satisfies FuzzCase;
    })
    .filter((fuzzCase) => {
      const head = fuzzCase.target.length + Object.values(fuzzCase.headers).reduce((sum, value) => sum + value.length + 40, 0) + (fuzzCase.token.token?.length ?? 0);
      return head < MAX_HEAD_BYTES;
    });
}
