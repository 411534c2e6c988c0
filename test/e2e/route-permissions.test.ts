/**
 * Every route of infra/routes.ts against the permission it declares, so a new route cannot ship
 * open by mistake: callers without the declared right are refused (401 anonymous, 403 otherwise);
 * the right caller gets past authorization.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../infra/routes.js';
import type { RouteDefinition } from '../../infra/routes.js';
import { createRepository, grant, push } from '../support/fixtures.js';
import { startTestServer } from '../support/local-server.js';
import type { TestServer } from '../support/local-server.js';
import { imageManifest } from '../support/manifests.js';

let server: TestServer;
let tokens: { owner: string; reader: string; writer: string; stranger: string };

beforeAll(async () => {
  server = await startTestServer({ streamPolling: false });
  tokens = {
    owner: await server.tokenFor('gateowner'),
    reader: await server.tokenFor('gatereader'),
    writer: await server.tokenFor('gatewriter'),
    stranger: await server.tokenFor('gatestranger'),
  };
  expect((await server.api('POST', '/api/v1/organization/', { token: tokens.owner, body: { name: 'gateorg' } })).status).toBe(201);
  await createRepository(server, tokens.owner, 'gateorg', 'repo');
  await push(server, tokens.owner, 'gateorg/repo', 'latest', imageManifest());
  await grant(server, tokens.owner, 'gateorg/repo', 'gatereader', 'read');
  await grant(server, tokens.owner, 'gateorg/repo', 'gatewriter', 'write');
});

afterAll(async () => {
  await server?.stop();
});

const values: Record<string, string> = {
  ns: 'gateorg', repo: 'repo', tag: 'latest', org: 'gateorg', username: 'gatetemp', reference: 'latest', uuid: '00000000-0000-4000-8000-000000000000',
};
const concretePath = (route: RouteDefinition) => route.path.replace(/\{(\w+)\}/g, (_match, name: string) => values[name]);

/** The caller that has exactly the declared right, and one that lacks it (null: anonymous only). */
function callers(route: RouteDefinition): { allowed: string | undefined; refused: string | null } {
  switch (route.permission) {
    case 'anyone':
      return { allowed: undefined, refused: null };
    case 'user':
      return { allowed: tokens.stranger, refused: null };
    case 'repo:read':
      return { allowed: tokens.reader, refused: tokens.stranger };
    case 'repo:write':
      return { allowed: tokens.writer, refused: tokens.reader };
    case 'repo:admin':
    case 'namespace:admin':
      return { allowed: tokens.owner, refused: tokens.writer };
  }
}

const REFUSED = [401, 403];

describe('every route enforces its declared permission', () => {
  for (const route of routes) {
    it(`${route.method} ${route.path} (${route.permission})`, async () => {
      const path = concretePath(route);
      const { allowed, refused } = callers(route);
      // Bodies are irrelevant before authorization (an empty object keeps JSON parsers calm), except
      // where the body names what is being authorized.
      const body =
        route.handler === 'create-repository'
          ? { namespace: 'gateorg', repository: 'created', visibility: 'private' }
          : // Quay checks the body of organization policy writes before the caller.
            ['create-immutability-policy', 'update-immutability-policy'].includes(route.handler)
            ? { tagPattern: 'gate-.*' }
            : ['PUT', 'POST'].includes(route.method)
            ? {}
            : undefined;
      const anonymous = await server.api(route.method, path, { body });
      if (route.permission === 'anyone') {
        expect(anonymous.status, 'anyone may call it').toBeLessThan(400);
        return;
      }
      expect(anonymous.status, 'anonymous is refused').toBe(401);
      if (refused) expect((await server.api(route.method, path, { token: refused, body })).status, 'a caller without the right').toBe(403);
      const granted = await server.api(route.method, path, { token: allowed, body });
      expect(REFUSED, `the right caller gets past authorization (got ${granted.status} ${granted.text})`).not.toContain(granted.status);
    });
  }
});
