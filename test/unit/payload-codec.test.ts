/** The payload-2.0 codec of the local gateway (infra/local/payload-codec.ts). */
import { describe, expect, it } from 'vitest';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { buildEvent, encodeBody, isTextContentType, parseQueryString, payloadBytes, resultToHttp } from '../../infra/local/payload-codec.js';
import { matchRoute } from '../../infra/local/route-matching.js';
import { gatewayRoutes } from '../../infra/routes.js';

describe('payload 2.0 event', () => {
  const route = gatewayRoutes.find((r) => r.handler === 'v2-put-manifest')!;

  function event(overrides: { url?: string; headers?: string[]; body?: Buffer; method?: string } = {}): APIGatewayProxyEventV2 {
    const url = overrides.url ?? '/v2/acme/app/manifests/latest';
    const match = matchRoute([route], overrides.method ?? 'PUT', url.split('?')[0]!);
    if (match.kind !== 'matched') throw new Error(`no match for ${url}`);
    return buildEvent(
      {
        method: overrides.method ?? 'PUT',
        url,
        rawHeaders: overrides.headers ?? ['Host', '127.0.0.1:8080', 'User-Agent', 'skopeo/1.15'],
        body: overrides.body,
        sourceIp: '10.1.2.3',
        protocol: 'HTTP/1.1',
      },
      match,
      { requestId: 'req-1', timeEpoch: Date.UTC(2026, 10, 27, 9, 49, 0) },
    );
  }

  it('carries version, routeKey, raw path and the request context', () => {
    const e = event();
    expect(e.version).toBe('2.0');
    expect(e.routeKey).toBe('PUT /v2/{ns}/{repo}/manifests/{reference}');
    expect(e.rawPath).toBe('/v2/acme/app/manifests/latest');
    expect(e.rawQueryString).toBe('');
    expect(e.queryStringParameters).toBeUndefined();
    expect(e.pathParameters).toEqual({ ns: 'acme', repo: 'app', reference: 'latest' });
    expect(e.body).toBeUndefined();
    expect(e.isBase64Encoded).toBe(false);
    expect(e.requestContext).toMatchObject({
      routeKey: e.routeKey,
      requestId: 'req-1',
      stage: '$default',
      timeEpoch: Date.UTC(2026, 10, 27, 9, 49, 0),
      time: '27/Nov/2026:09:49:00 +0000',
      domainName: '127.0.0.1',
      http: { method: 'PUT', path: '/v2/acme/app/manifests/latest', protocol: 'HTTP/1.1', sourceIp: '10.1.2.3', userAgent: 'skopeo/1.15' },
    });
  });

  it('joins duplicate headers and query parameters with commas, lower-cases names, moves cookies out', () => {
    const e = event({
      url: '/v2/acme/app/manifests/sha256%3Aabc?n=10&last=v%201&n=20&flag',
      headers: ['Host', 'localhost', 'Accept', 'application/vnd.oci.image.index.v1+json', 'ACCEPT', 'application/json', 'Cookie', 'a=1; b=2', 'cookie', 'c=3'],
    });
    expect(e.rawQueryString).toBe('n=10&last=v%201&n=20&flag');
    expect(e.queryStringParameters).toEqual({ n: '10,20', last: 'v 1', flag: '' });
    expect(e.pathParameters?.reference).toBe('sha256:abc');
    expect(e.headers.accept).toBe('application/vnd.oci.image.index.v1+json,application/json');
    expect(e.headers.host).toBe('localhost');
    expect(e.headers.cookie).toBeUndefined();
    expect(e.cookies).toEqual(['a=1', 'b=2', 'c=3']);
    expect(e.headers['x-forwarded-for']).toBe('10.1.2.3');
    expect(Object.keys(e.headers).every((name) => name === name.toLowerCase())).toBe(true);
  });

  it('passes text bodies (manifests included) as strings and anything else as base64', () => {
    const manifest = Buffer.from('{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","x":"é"}');
    for (const type of [
      'application/vnd.oci.image.manifest.v1+json',
      'application/vnd.oci.image.index.v1+json',
      'application/vnd.docker.distribution.manifest.v2+json',
      'application/vnd.docker.distribution.manifest.list.v2+json',
      'application/json; charset=utf-8',
      'text/plain',
    ]) {
      const e = event({ headers: ['Content-Type', type], body: manifest });
      expect(e.isBase64Encoded, type).toBe(false);
      expect(e.body, type).toBe(manifest.toString('utf8'));
    }
    // Non-text types arrive base64-encoded even when the bytes happen to be valid UTF-8.
    for (const type of ['application/octet-stream', 'image/png', 'application/gzip', 'application/vnd.oci.image.layer.v1.tar']) {
      for (const bytes of [Buffer.from([0, 1, 2, 250, 251, 252]), Buffer.from('plain ascii')]) {
        const binary = event({ headers: ['Content-Type', type], body: bytes });
        expect(binary.isBase64Encoded, type).toBe(true);
        expect(Buffer.from(binary.body!, 'base64'), type).toEqual(bytes);
      }
    }
    // invalid UTF-8 under a text type still arrives byte-exact
    const broken = event({ headers: ['Content-Type', 'application/json'], body: Buffer.from([0x7b, 0xff, 0x7d]) });
    expect(broken.isBase64Encoded).toBe(true);
    expect(Buffer.from(broken.body!, 'base64')).toEqual(Buffer.from([0x7b, 0xff, 0x7d]));
  });

  it('names the route key API Gateway matched, trailing slash dropped, fallbacks included', () => {
    const fallback = gatewayRoutes.find((r) => r.handler === 'list-tags-slash')!;
    const slashed = buildEvent(
      { method: 'GET', url: '/api/v1/repository/acme/app/tag/', rawHeaders: ['Host', 'localhost'] },
      { route: fallback, pathParameters: { ns: 'acme', repo: 'app', proxy: '' } },
    );
    expect(slashed.routeKey).toBe('GET /api/v1/repository/{ns}/{repo}/tag/{proxy+}');
    expect(slashed.rawPath).toBe('/api/v1/repository/acme/app/tag/');
    const list = gatewayRoutes.find((r) => r.handler === 'list-tags')!;
    expect(list.path).toBe('/api/v1/repository/{ns}/{repo}/tag');
  });

  it('measures payloads as Lambda does, by their JSON serialization', () => {
    expect(payloadBytes({ a: 'é' })).toBe(Buffer.byteLength('{"a":"é"}'));
    expect(payloadBytes('x'.repeat(10))).toBe(12);
  });

  it('has small pure helpers with the documented behaviour', () => {
    expect(isTextContentType('application/vnd.docker.distribution.manifest.v1+prettyjws')).toBe(true);
    expect(isTextContentType('image/png')).toBe(false);
    expect(encodeBody(Buffer.from('hi'), undefined)).toEqual({ body: 'hi', isBase64Encoded: false });
    expect(parseQueryString('')).toBeUndefined();
    expect(parseQueryString('a=1&a=2&b=x%2By')).toEqual({ a: '1,2', b: 'x+y' });
    expect(resultToHttp({ statusCode: 204 }).body.length).toBe(0);
    expect(resultToHttp({ ok: true })).toMatchObject({ statusCode: 200, headers: { 'content-type': 'application/json' } });
    expect(() => resultToHttp({ statusCode: 'x' })).toThrow();
  });
});

