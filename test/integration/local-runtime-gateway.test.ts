/**
 * The local gateway over HTTP with stand-in handlers: the payload-2.0 round trip and the limits API
 * Gateway and Lambda enforce (infra/local/limits.ts), Node-level refusals included.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { createGateway, type ApiHandler } from '../../infra/local/gateway.js';
import { createApiServer } from '../../infra/local/http-server.js';
import { MAX_HEADER_BYTES, MAX_INVOCATION_PAYLOAD_BYTES, MAX_REQUEST_BODY_BYTES } from '../../infra/local/limits.js';
import type { MatchableRoute } from '../../infra/local/route-matching.js';

/** A short integration timeout, so the timeout tests take a moment instead of 30 s. */
const TIMEOUT_MS = 1_500;

/** Writes raw bytes to the server and reads until it closes the connection (or 10 s pass). */
function rawExchange(base: string, request: string): Promise<{ text: string; closed: boolean }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    const finish = (closed: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ text: Buffer.concat(chunks).toString('utf8'), closed });
    };
    const timer = setTimeout(() => finish(false), 10_000);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('close', () => finish(true));
    socket.on('error', reject);
    socket.write(request);
  });
}

describe('gateway over HTTP with stand-in handlers', () => {
  const testRoutes: MatchableRoute[] = [
    { method: 'POST', path: '/echo/{id}', handler: 'echo' },
    { method: 'GET', path: '/binary', handler: 'binary' },
    { method: 'HEAD', path: '/binary', handler: 'binary' },
    { method: 'GET', path: '/boom', handler: 'boom' },
    { method: 'GET', path: '/missing', handler: 'missing' },
    { method: 'GET', path: '/sized/{bytes}', handler: 'sized' },
    { method: 'GET', path: '/hang', handler: 'hang' },
  ];
  const handlers: Record<string, ApiHandler> = {
    echo: async (event, context) => ({
      statusCode: 201,
      headers: { 'content-type': 'application/json', 'x-request-id': context.awsRequestId },
      cookies: ['session=abc; Path=/', 'theme=dark'],
      body: JSON.stringify({ event, remaining: context.getRemainingTimeInMillis() }),
    }),
    binary: async () => ({
      statusCode: 200,
      headers: { 'content-type': 'application/octet-stream', 'docker-content-digest': 'sha256:00' },
      body: Buffer.from([1, 2, 3, 255]).toString('base64'),
      isBase64Encoded: true,
    }),
    boom: async () => {
      throw new Error('expected failure (test)');
    },
    // a structured result whose serialization is about `bytes` long
    sized: async (event) => ({ statusCode: 200, body: 'x'.repeat(Number(event.pathParameters?.bytes) - 40) }),
    hang: () => new Promise(() => {}),
  };
  let server: Server;
  let base: string;
  const logged: Record<string, unknown>[] = [];

  beforeAll(async () => {
    server = createApiServer(
      createGateway({ routes: testRoutes, loadHandler: async (name) => handlers[name], log: (entry) => logged.push(entry), timeoutMs: TIMEOUT_MS }),
      { timeoutMs: TIMEOUT_MS },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('delivers a faithful event and writes status, headers and cookies back', async () => {
    const response = await fetch(`${base}/echo/a%20b?x=1&x=2`, {
      method: 'POST',
      headers: { 'content-type': 'application/vnd.docker.distribution.manifest.v2+json', 'x-custom': 'yes' },
      body: '{"schemaVersion":2}',
    });
    expect(response.status).toBe(201);
    expect(response.headers.getSetCookie()).toEqual(['session=abc; Path=/', 'theme=dark']);
    expect(response.headers.get('apigw-requestid')).toBeTruthy();
    const { event, remaining } = (await response.json()) as { event: APIGatewayProxyEventV2; remaining: number };
    // the context counts down the integration timeout, which started with the request
    expect(remaining).toBeGreaterThan(0);
    expect(remaining).toBeLessThanOrEqual(TIMEOUT_MS);
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'POST /echo/{id}',
      rawPath: '/echo/a%20b',
      rawQueryString: 'x=1&x=2',
      queryStringParameters: { x: '1,2' },
      pathParameters: { id: 'a b' },
      body: '{"schemaVersion":2}',
      isBase64Encoded: false,
      headers: { 'x-custom': 'yes', 'content-type': 'application/vnd.docker.distribution.manifest.v2+json' },
      requestContext: { http: { method: 'POST', path: '/echo/a%20b', sourceIp: '127.0.0.1' } },
    });
  });

  it('decodes base64 results and never writes a body for HEAD', async () => {
    const get = await fetch(`${base}/binary`);
    expect(Buffer.from(await get.arrayBuffer())).toEqual(Buffer.from([1, 2, 3, 255]));
    const head = await fetch(`${base}/binary`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('docker-content-digest')).toBe('sha256:00');
    expect(head.headers.get('content-length')).toBe('4');
    expect((await head.arrayBuffer()).byteLength).toBe(0);
  });

  it('answers 501 for a missing handler file and 500 for a failing handler', async () => {
    const missing = await fetch(`${base}/missing`);
    expect(missing.status).toBe(501);
    expect(((await missing.json()) as { message: string }).message).toMatch(/not implemented/);
    const boom = await fetch(`${base}/boom`);
    expect(boom.status).toBe(500);
    expect(await boom.json()).toEqual({ message: 'Internal Server Error' });
    expect(logged.some((entry) => entry.msg === 'handler failed')).toBe(true);
  });

  it('delivers bodies of non-text content types base64-encoded', async () => {
    const bytes = Buffer.from('not text to the gateway');
    const response = await fetch(`${base}/echo/bin`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: bytes });
    const { event } = (await response.json()) as { event: APIGatewayProxyEventV2 };
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body!, 'base64')).toEqual(bytes);
  });

  it('refuses with 413 a request whose event would exceed Lambda\'s 6 MB, and any body over 10 MB', async () => {
    const send = (body: Uint8Array, type: string) => fetch(`${base}/echo/big`, { method: 'POST', headers: { 'content-type': type }, body });
    const text = new Uint8Array(5 * 1024 * 1024).fill(0x61);
    expect((await send(text, 'text/plain')).status).toBe(201);
    // the same 5 MB as binary grows by a third in base64: over 6 MB
    const binary = await send(text, 'application/octet-stream');
    expect(binary.status).toBe(413);
    expect(await binary.json()).toEqual({ message: 'Request Entity Too Large' });
    const huge = await send(new Uint8Array(MAX_REQUEST_BODY_BYTES + 1), 'application/octet-stream');
    expect(huge.status).toBe(413);
    expect(await huge.json()).toEqual({ message: 'Request Entity Too Large' });
  });

  it('answers 500 for a handler response over 6 MB, as Lambda fails it (Function.ResponseSizeTooLarge)', async () => {
    const fits = await fetch(`${base}/sized/${MAX_INVOCATION_PAYLOAD_BYTES - 1024}`);
    expect(fits.status).toBe(200);
    await fits.arrayBuffer();
    const over = await fetch(`${base}/sized/${MAX_INVOCATION_PAYLOAD_BYTES + 1024}`);
    expect(over.status).toBe(500);
    expect(await over.json()).toEqual({ message: 'Internal Server Error' });
    expect(logged.some((entry) => entry.msg === 'Function.ResponseSizeTooLarge')).toBe(true);
  });

  it('answers 404 {"message":"Not Found"} for a known path under another method', async () => {
    const response = await fetch(`${base}/binary`, { method: 'POST' });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ message: 'Not Found' });
  });

  it('answers 503 at the integration timeout, counted from the start of the request', async () => {
    const hang = await fetch(`${base}/hang`);
    expect(hang.status).toBe(503);
    expect(await hang.json()).toEqual({ message: 'Service Unavailable' });
    // a client that never finishes its body gets the same answer and loses the socket
    const { text, closed } = await rawExchange(
      base,
      'POST /echo/slow HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":',
    );
    expect(text).toMatch(/^HTTP\/1\.1 503 /);
    expect(text.endsWith('{"message":"Service Unavailable"}')).toBe(true);
    expect(closed).toBe(true);
  });

  it('answers Node-level refusals with JSON bodies instead of empty responses', async () => {
    const cases: [string, number, string][] = [
      [`GET /binary HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(MAX_HEADER_BYTES)}\r\n\r\n`, 431, 'Request Header Fields Too Large'],
      ['FROB /binary HTTP/1.1\r\nHost: x\r\n\r\n', 400, 'Bad Request'],
      ['this is not http\r\n\r\n', 400, 'Bad Request'],
      ['GET /binary HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n', 400, 'Bad Request'],
    ];
    for (const [request, status, message] of cases) {
      const { text } = await rawExchange(base, request);
      expect(text, request.slice(0, 20)).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
      expect(text).toMatch(/\r\ncontent-type: application\/json\r\n/);
      expect(text.endsWith(JSON.stringify({ message }))).toBe(true);
    }
  });

  it('answers a refused HEAD request without a body (found by the fuzz suite: the body desynchronized the client)', async () => {
    const cases: [string, number][] = [
      ['HEAD /binary/\u00e9\u00e9 HTTP/1.1\r\nHost: x\r\n\r\n', 400],
      [`HEAD /binary HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(MAX_HEADER_BYTES)}\r\n\r\n`, 431],
    ];
    for (const [request, status] of cases) {
      const { text } = await rawExchange(base, request);
      expect(text, request.slice(0, 20)).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
      expect(text).toMatch(/\r\ncontent-type: application\/json\r\n/);
      expect(text.endsWith('\r\n\r\n'), text).toBe(true);
    }
  });
});

