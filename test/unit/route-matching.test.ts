/** Route selection of the local gateway over the deployed route keys (infra/routes.ts gatewayRoutes). */
import { describe, expect, it } from 'vitest';
import { compileRoutes, matchRoute } from '../../infra/local/route-matching.js';
import { gatewayRoutes } from '../../infra/routes.js';

const compiled = compileRoutes(gatewayRoutes);
const match = (method: string, path: string) => matchRoute(compiled, method, path);
const handlerOf = (method: string, path: string) => {
  const found = match(method, path);
  return found.kind === 'matched' ? found.route.handler : undefined;
};

describe('route matching', () => {
  it('matches {name} segments and URL-decodes path parameters after splitting', () => {
    const found = match('PUT', '/api/v1/repository/acme/my%2Dapp/tag/v1.0');
    expect(found).toMatchObject({ kind: 'matched', route: { handler: 'change-tag' } });
    expect(found.kind === 'matched' && found.pathParameters).toEqual({ ns: 'acme', repo: 'my-app', tag: 'v1.0' });
    const robot = match('PUT', '/api/v1/repository/acme/app/permissions/user/acme%2Bbuilder');
    expect(robot.kind === 'matched' && robot.pathParameters.username).toBe('acme+builder');
    const slash = match('DELETE', '/api/v1/repository/acme/app/tag/a%2Fb');
    expect(slash.kind === 'matched' && slash.pathParameters.tag).toBe('a/b');
  });

  it('never spans a slash with {name} and never matches an empty segment', () => {
    expect(match('GET', '/v2/a/b/c/manifests/latest')).toMatchObject({ route: { handler: 'v2-fallback' } });
    expect(handlerOf('PUT', '/api/v1/repository/acme/app/tag/')).toBeUndefined();
    expect(handlerOf('GET', '/api/v1/repository//app')).toBeUndefined();
  });

  it('takes route keys literally: the slash spelling reaches the fallback with an empty remainder', () => {
    expect(handlerOf('GET', '/api/v1/repository/acme/app/tag')).toBe('list-tags');
    const slashed = match('GET', '/api/v1/repository/acme/app/tag/');
    expect(slashed).toMatchObject({ route: { handler: 'list-tags-slash' }, pathParameters: { ns: 'acme', repo: 'app', proxy: '' } });
    expect(handlerOf('GET', '/v2')).toBe('v2-base');
    expect(match('GET', '/v2/')).toMatchObject({ route: { handler: 'v2-fallback' }, pathParameters: { proxy: '' } });
    expect(handlerOf('POST', '/api/v1/organization/')).toBe('create-organization-slash');
    expect(handlerOf('PUT', '/api/v1/user/')).toBe('update-user-slash');
    expect(handlerOf('GET', '/api/v1/repository/acme/app/permissions/user/')).toBe('list-user-permissions-slash');
    // routes without a slash in Quay get no second spelling
    expect(handlerOf('GET', '/api/v1/repository/acme/app/')).toBeUndefined();
    expect(handlerOf('GET', '/health/instance/')).toBeUndefined();
  });

  it('prefers the most specific route: no greedy variable, literal segments, exact method before ANY', () => {
    expect(handlerOf('GET', '/api/v1/repository/acme/app/tag/v1/images')).toBe('tag-images');
    expect(match('GET', '/api/v1/repository/acme/app/tag/v1')).toMatchObject({
      route: { handler: 'list-tags-slash' },
      pathParameters: { proxy: 'v1' },
    });
    expect(handlerOf('GET', '/v2/acme/app/manifests/latest')).toBe('v2-get-manifest');
    expect(handlerOf('HEAD', '/v2/acme/app/manifests/latest')).toBe('v2-get-manifest');
    expect(handlerOf('PATCH', '/v2/acme/app/manifests/latest')).toBe('v2-fallback');
    expect(handlerOf('GET', '/v2/auth')).toBe('v2-auth');
    expect(match('HEAD', '/v2/acme/app/blobs/sha256:00')).toMatchObject({
      route: { handler: 'v2-fallback' },
      pathParameters: { proxy: 'acme/app/blobs/sha256:00' },
    });
  });

  it('answers not-found for a known path under another method (HTTP APIs have no 405)', () => {
    expect(match('POST', '/health/instance')).toEqual({ kind: 'not-found' });
    expect(match('DELETE', '/api/v1/repository/acme/app')).toEqual({ kind: 'not-found' });
    expect(match('GET', '/no/such/thing')).toEqual({ kind: 'not-found' });
  });

  it('accepts plain route lists too, dropping a trailing slash as the stack does', () => {
    const routes = [{ method: 'GET', path: '/things/', handler: 'things' }];
    expect(matchRoute(routes, 'GET', '/things')).toMatchObject({ route: { handler: 'things' } });
    expect(matchRoute(routes, 'GET', '/things/')).toEqual({ kind: 'not-found' });
  });
});
