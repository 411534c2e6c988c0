/**
 * Idempotency-Key on every mutating route (POST, PUT, DELETE: the methods of infra/routes.ts that
 * change state), as one middleware of the pipeline, after authentication. The first request with a
 * key claims it (a conditional put); its successful response is stored for 24 h and a repeat with
 * the same key, caller and request gets that response back with `Idempotent-Replayed: true`, without
 * running the handler again (no second write, no second audit entry). The same key with another
 * request is 422; a repeat while the first is in flight is 409. A request that fails wrote nothing,
 * so its claim is released and a retry runs it again. Keys are scoped to the authenticated caller;
 * anonymous requests are never stored (every mutating route refuses them).
 */
import { createHash } from 'node:crypto';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { StoredResponse } from '../store/idempotency.js';
import { log } from '../log.js';
import { quay } from './errors.js';
import type { ApiRequest, Middleware, MiddyRequest } from './pipeline.js';

const MUTATING = new Set(['POST', 'PUT', 'DELETE']);
const KEY = /^[\x20-\x7e]{1,255}$/;
/** A stored response must fit one item (400 KB) with room to spare; mutating routes answer far less. */
const MAX_STORED_BODY = 200_000;
/** Request headers that change what a request does: part of its fingerprint. */
const FINGERPRINT_HEADERS = ['content-type', 'if-match', 'if-none-match'];

interface Claim {
  caller: string;
  key: string;
  token: string;
}

const claims = new WeakMap<object, Claim>();

function fingerprintOf(request: ApiRequest, rawQuery: string): string {
  const hash = createHash('sha256').update(JSON.stringify([request.method, request.path, rawQuery, ...FINGERPRINT_HEADERS.map((name) => request.headers[name] ?? null)]));
  if (request.body) hash.update(request.body);
  return hash.digest('hex');
}

function replay(response: StoredResponse): APIGatewayProxyStructuredResultV2 {
  return { statusCode: response.status, headers: { ...response.headers, 'idempotent-replayed': 'true' }, body: response.body, isBase64Encoded: response.isBase64Encoded };
}

export function idempotency(): Middleware {
  return {
    before: async function claimIdempotencyKey(request: MiddyRequest) {
      const api = request.context.apiRequest as ApiRequest;
      const key = api.headers['idempotency-key'];
      if (key === undefined || !MUTATING.has(api.method)) return undefined;
      if (!KEY.test(key)) throw quay.invalidRequest('Idempotency-Key must be 1 to 255 printable ASCII characters');
      const caller = api.principal?.username;
      if (!caller) return undefined;
      const fingerprint = fingerprintOf(api, request.event.rawQueryString ?? '');
      const outcome = await api.deps.store.idempotency.claim({ caller, key, fingerprint, nowMs: api.deps.clock.now() });
      if (outcome.kind !== 'claimed' && outcome.fingerprint !== fingerprint) {
        throw quay.problem(422, 'idempotency_key_reused', 'This Idempotency-Key was used with a different request');
      }
      if (outcome.kind === 'in_flight') throw quay.problem(409, 'idempotency_key_in_flight', 'A request with this Idempotency-Key is in progress; retry later');
      if (outcome.kind === 'done') return replay(outcome.response);
      claims.set(request.context, { caller, key, token: outcome.token });
      return undefined;
    },
    after: async function storeIdempotentResponse(request: MiddyRequest) {
      const claim = claims.get(request.context);
      const response = request.response;
      if (!claim || !response) return;
      claims.delete(request.context);
      const body = response.body ?? '';
      const stored = response.statusCode !== undefined && response.statusCode < 400 && body.length <= MAX_STORED_BODY;
      const { store } = (request.context.apiRequest as ApiRequest).deps;
      if (!stored) return store.idempotency.release(claim.caller, claim.key, claim.token);
      const headers = Object.fromEntries(Object.entries(response.headers ?? {}).map(([name, value]) => [name, String(value)]));
      await store.idempotency.complete(claim.caller, claim.key, claim.token, {
        status: response.statusCode as number,
        headers,
        body,
        isBase64Encoded: response.isBase64Encoded ?? false,
      });
    },
    onError: async function releaseIdempotencyKey(request: MiddyRequest) {
      const claim = claims.get(request.context);
      if (!claim) return;
      claims.delete(request.context);
      // The request's own error is what the client must see; a failed release only delays a retry (lock).
      await (request.context.apiRequest as ApiRequest).deps.store.idempotency
        .release(claim.caller, claim.key, claim.token)
        .catch((error: unknown) => log('error', { message: 'idempotency release failed', error: String(error) }));
    },
  };
}
