/**
 * The local runtime itself: DynamoDB Local, the tables, the payload-2.0 gateway, the test hooks and
 * the stream poller. Handler logic is tested elsewhere; here fake handlers stand in where needed.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { APIGatewayProxyEventV2, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import {
  DeleteTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  ListTablesCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { jwtVerify } from 'jose';
import { auditTable, registryTable, TTL_ATTRIBUTE, type TableDefinition } from '../../infra/tables.js';
import { routes, type RouteDefinition } from '../../infra/routes.js';
import {
  buildEvent,
  createGateway,
  encodeBody,
  isTextContentType,
  matchRoute,
  parseQueryString,
  resultToHttp,
  type ApiHandler,
} from '../../infra/local/gateway.js';
import { ensureTables, localDynamoClient } from '../../infra/local/tables.js';
import { startStreamPoller, type FailedBatch } from '../../infra/local/stream-poller.js';
import { parseTokenArgs, signLocalToken } from '../../infra/local/token.js';
import { clock } from '../../shared/clock.js';
import { startTestServer, uniqueTableNames, type TestServer } from '../support/local-server.js';

const endpoint = inject('ddbEndpoint');

describe('DynamoDB Local', () => {
  it('answers on the endpoint the global setup provided', async () => {
    expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const client = localDynamoClient(endpoint);
    try {
      const result = await client.send(new ListTablesCommand({}));
      expect(Array.isArray(result.TableNames)).toBe(true);
    } finally {
      client.destroy();
    }
  });
});

describe('ensureTables', () => {
  const names = uniqueTableNames();
  const client = localDynamoClient(endpoint);

  afterAll(async () => {
    await Promise.allSettled([
      client.send(new DeleteTableCommand({ TableName: names.registryTable })),
      client.send(new DeleteTableCommand({ TableName: names.auditTable })),
    ]);
    client.destroy();
  });

  function expectMatches(definition: TableDefinition, table: NonNullable<Awaited<ReturnType<typeof describeTable>>>) {
    expect(table.KeySchema).toEqual([
      { AttributeName: definition.partitionKey.name, KeyType: 'HASH' },
      { AttributeName: definition.sortKey.name, KeyType: 'RANGE' },
    ]);
    const indexes = Object.fromEntries((table.GlobalSecondaryIndexes ?? []).map((index) => [index.IndexName, index]));
    expect(Object.keys(indexes).sort()).toEqual(definition.indexes.map((index) => index.indexName).sort());
    for (const index of definition.indexes) {
      const actual = indexes[index.indexName];
      expect(actual?.KeySchema).toEqual([
        { AttributeName: index.partitionKey.name, KeyType: 'HASH' },
        { AttributeName: index.sortKey.name, KeyType: 'RANGE' },
      ]);
      if (index.projection === 'ALL') {
        expect(actual?.Projection?.ProjectionType).toBe('ALL');
      } else {
        expect(actual?.Projection?.ProjectionType).toBe('INCLUDE');
        expect([...(actual?.Projection?.NonKeyAttributes ?? [])].sort()).toEqual([...index.projection].sort());
      }
    }
    const types = Object.fromEntries((table.AttributeDefinitions ?? []).map((a) => [a.AttributeName, a.AttributeType]));
    for (const key of [definition.partitionKey, definition.sortKey, ...definition.indexes.flatMap((i) => [i.partitionKey, i.sortKey])]) {
      expect(types[key.name]).toBe(key.type);
    }
    if (definition.stream) {
      expect(table.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' });
      expect(table.LatestStreamArn).toBeTruthy();
    } else {
      expect(table.StreamSpecification?.StreamEnabled ?? false).toBe(false);
    }
  }

  async function describeTable(name: string) {
    return (await client.send(new DescribeTableCommand({ TableName: name }))).Table;
  }

  it('creates both tables as infra/tables.ts defines them, with TTL on', async () => {
    const result = await ensureTables(endpoint, names);
    expect(result.registry.created).toBe(true);
    expect(result.audit.created).toBe(true);
    expectMatches(registryTable, (await describeTable(names.registryTable))!);
    expectMatches(auditTable, (await describeTable(names.auditTable))!);
    for (const name of [names.registryTable, names.auditTable]) {
      const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: name }));
      expect(ttl.TimeToLiveDescription).toMatchObject({ TimeToLiveStatus: 'ENABLED', AttributeName: TTL_ATTRIBUTE });
    }
  });

  it('is idempotent and reports no differences for matching tables', async () => {
    const again = await ensureTables(endpoint, names);
    expect(again.registry).toMatchObject({ created: false, mismatches: [] });
    expect(again.audit).toMatchObject({ created: false, mismatches: [] });
  });
});

describe('gateway: route matching', () => {
  it('matches {name} segments and URL-decodes path parameters', () => {
    const match = matchRoute(routes, 'PUT', '/api/v1/repository/acme/my%2Dapp/tag/v1.0');
    expect(match).toMatchObject({ kind: 'matched', route: { handler: 'change-tag' } });
    if (match.kind !== 'matched') throw new Error('unreachable');
    expect(match.pathParameters).toEqual({ ns: 'acme', repo: 'my-app', tag: 'v1.0' });

    const robot = matchRoute(routes, 'PUT', '/api/v1/repository/acme/app/permissions/user/acme%2Bbuilder');
    expect(robot.kind === 'matched' && robot.pathParameters.username).toBe('acme+builder');
  });

  it('accepts a path with or without the trailing slash of its route', () => {
    expect(matchRoute(routes, 'GET', '/api/v1/repository/acme/app/tag/')).toMatchObject({ route: { handler: 'list-tags' } });
    expect(matchRoute(routes, 'GET', '/api/v1/repository/acme/app/tag')).toMatchObject({ route: { handler: 'list-tags' } });
    expect(matchRoute(routes, 'GET', '/api/v1/repository/acme/app/')).toMatchObject({ route: { handler: 'get-repository' } });
    expect(matchRoute(routes, 'POST', '/api/v1/repository/')).toMatchObject({ route: { handler: 'create-repository' } });
    expect(matchRoute(routes, 'GET', '/v2')).toMatchObject({ route: { handler: 'v2-base' } });
  });

  it('tells a wrong method (405) from an unknown path (404)', () => {
    expect(matchRoute(routes, 'POST', '/health/instance')).toEqual({ kind: 'method-not-allowed', allow: ['GET'] });
    expect(matchRoute(routes, 'GET', '/no/such/thing')).toEqual({ kind: 'not-found' });
    // a segment never spans a slash
    expect(matchRoute(routes, 'GET', '/v2/a/b/c/manifests/latest')).toEqual({ kind: 'not-found' });
    expect(matchRoute(routes, 'HEAD', '/v2/a/b/manifests/latest')).toMatchObject({ route: { handler: 'v2-get-manifest', method: 'HEAD' } });
  });
});

describe('gateway: payload 2.0 event', () => {
  const route: RouteDefinition = routes.find((r) => r.handler === 'v2-put-manifest')!;

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
    const bytes = Buffer.from([0, 1, 2, 250, 251, 252]);
    const binary = event({ headers: ['Content-Type', 'application/octet-stream'], body: bytes });
    expect(binary.isBase64Encoded).toBe(true);
    expect(Buffer.from(binary.body!, 'base64')).toEqual(bytes);
    // invalid UTF-8 under a text type still arrives byte-exact
    const broken = event({ headers: ['Content-Type', 'application/json'], body: Buffer.from([0x7b, 0xff, 0x7d]) });
    expect(broken.isBase64Encoded).toBe(true);
    expect(Buffer.from(broken.body!, 'base64')).toEqual(Buffer.from([0x7b, 0xff, 0x7d]));
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

describe('gateway over HTTP with stand-in handlers', () => {
  const testRoutes: RouteDefinition[] = [
    { method: 'POST', path: '/echo/{id}', handler: 'echo', permission: 'anyone', access: {} },
    { method: 'GET', path: '/binary', handler: 'binary', permission: 'anyone', access: {} },
    { method: 'HEAD', path: '/binary', handler: 'binary', permission: 'anyone', access: {} },
    { method: 'GET', path: '/boom', handler: 'boom', permission: 'anyone', access: {} },
    { method: 'GET', path: '/missing', handler: 'missing', permission: 'anyone', access: {} },
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
  };
  let server: Server;
  let base: string;
  const logged: Record<string, unknown>[] = [];

  beforeAll(async () => {
    server = createServer(
      createGateway({ routes: testRoutes, loadHandler: async (name) => handlers[name], log: (entry) => logged.push(entry) }),
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
    expect(remaining).toBeGreaterThan(25_000);
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

  it('refuses bodies over 10 MiB with 413', async () => {
    const response = await fetch(`${base}/echo/big`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: new Uint8Array(10 * 1024 * 1024 + 1),
    });
    expect(response.status).toBe(413);
  });
});

describe('local server', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('serves GET /health/instance with 200 {"status":"ok"}', async () => {
    const response = await server.api('GET', '/health/instance');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/application\/json/);
    expect(response.body).toEqual({ status: 'ok' });
  });

  it('answers 404 JSON for an unknown route and 405 for a wrong method', async () => {
    const unknown = await server.api('GET', '/api/v1/nothing-here');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ message: 'Not Found' });
    const wrong = await server.api('DELETE', '/health/instance');
    expect(wrong.status).toBe(405);
  });

  it('moves the clock every handler uses with POST /_local/clock', async () => {
    const before = clock.now();
    const response = await server.api('POST', '/_local/clock', { body: { advance_s: 3600 } });
    expect(response.status).toBe(200);
    expect(response.body.now).toBeGreaterThanOrEqual(before + 3_600_000);
    expect(clock.now() - before).toBeGreaterThanOrEqual(3_600_000);
    for (const bad of [{ advance_s: -5 }, { advance_s: 0 }, { advance_s: 'x' }, {}, 'not json']) {
      expect((await server.api('POST', '/_local/clock', { body: bad, headers: { 'content-type': 'application/json' } })).status).toBe(400);
    }
  });

  it('runs the sweep and flushes the audit stream on request', async () => {
    const sweep = await server.api('POST', '/_local/sweep');
    expect([200, 501]).toContain(sweep.status);
    expect(typeof sweep.body).toBe('object');
    const flush = await server.api('POST', '/_local/audit/flush');
    if (server.streamPolling) expect(flush.body).toEqual({ flushed: true });
    else expect(flush.status).toBe(503);
  });

  it('serves the test hooks only when asked to', async () => {
    const plain = await startTestServer({ testHooks: false, streamPolling: false });
    try {
      expect((await plain.api('POST', '/_local/clock', { body: { advance_s: 1 } })).status).toBe(404);
      expect((await plain.api('GET', '/health/instance')).status).toBe(200);
    } finally {
      await plain.stop();
    }
    // The handlers' environment is process-wide; stopping the later server hands it back.
    expect(process.env.REGISTRY_TABLE).toBe(server.registryTable);
    expect(process.env.AUDIT_TABLE).toBe(server.auditTable);
  });

  it('loads handlers into the same module graph, so they share the clock the hook moves', async () => {
    const file = pathToFileURL(fileURLToPath(new URL('../../shared/clock.ts', import.meta.url))).href;
    const loaded = (await import(/* @vite-ignore */ file)) as { clock: unknown };
    expect(loaded.clock).toBe(clock);
  });
});

describe('stream poller', () => {
  const names = uniqueTableNames();
  const client = localDynamoClient(endpoint);

  beforeAll(async () => {
    await ensureTables(endpoint, names);
  });
  afterAll(async () => {
    await Promise.allSettled([
      client.send(new DeleteTableCommand({ TableName: names.registryTable })),
      client.send(new DeleteTableCommand({ TableName: names.auditTable })),
    ]);
    client.destroy();
  });

  it('delivers inserted and modified items as Lambda DynamoDBStreamEvent records', async () => {
    const events: DynamoDBStreamEvent[] = [];
    const poller = startStreamPoller({
      endpoint,
      tableName: names.registryTable,
      handler: async (event) => {
        events.push(event);
        return { batchItemFailures: [] };
      },
    });
    try {
      await client.send(
        new PutItemCommand({
          TableName: names.registryTable,
          Item: {
            PK: { S: 'REPO#acme/app' },
            SK: { S: 'TAG#latest' },
            n: { N: '1' },
            raw: { B: new Uint8Array([1, 2]) },
            // DynamoDB Local streams empty maps as {}; the poller restores {"M":{}}
            annotations: { M: {} },
            nested: { M: { empty: { M: {} }, list: { L: [] } } },
          },
        }),
      );
      await client.send(
        new UpdateItemCommand({
          TableName: names.registryTable,
          Key: { PK: { S: 'REPO#acme/app' }, SK: { S: 'TAG#latest' } },
          UpdateExpression: 'SET n = :two',
          ExpressionAttributeValues: { ':two': { N: '2' } },
        }),
      );
      expect(await poller.flush()).toBe(true);
      const records = events.flatMap((event) => event.Records);
      expect(records.map((record) => record.eventName)).toEqual(['INSERT', 'MODIFY']);
      const [insert, modify] = records as [DynamoDBRecord, DynamoDBRecord];
      expect(insert).toMatchObject({
        eventSource: 'aws:dynamodb',
        eventVersion: '1.1',
        awsRegion: 'us-east-1',
        eventSourceARN: poller.streamArn,
        dynamodb: {
          Keys: { PK: { S: 'REPO#acme/app' }, SK: { S: 'TAG#latest' } },
          NewImage: {
            n: { N: '1' },
            raw: { B: 'AQI=' },
            annotations: { M: {} },
            nested: { M: { empty: { M: {} }, list: { L: [] } } },
          },
          StreamViewType: 'NEW_AND_OLD_IMAGES',
        },
      });
      expect(insert.eventID).toBeTruthy();
      expect(typeof insert.dynamodb?.ApproximateCreationDateTime).toBe('number');
      expect(insert.dynamodb?.SequenceNumber).toMatch(/^\d+$/);
      expect(modify.dynamodb?.OldImage?.n).toEqual({ N: '1' });
      expect(modify.dynamodb?.NewImage?.n).toEqual({ N: '2' });
    } finally {
      await poller.stop();
    }
  });

  it('retries from the lowest failed record and gives up after 3 retries', async () => {
    const seen: string[] = [];
    const failedBatches: FailedBatch[] = [];
    let failOnceFor: string | undefined;
    const poller = startStreamPoller({
      endpoint,
      tableName: names.registryTable,
      retryDelayMs: 10,
      onFailedBatch: (batch) => failedBatches.push(batch),
      handler: async (event) => {
        const failures: { itemIdentifier: string }[] = [];
        for (const record of event.Records) {
          const sk = record.dynamodb?.Keys?.SK?.S ?? '';
          seen.push(sk);
          if (sk === 'poison') failures.push({ itemIdentifier: record.dynamodb!.SequenceNumber! });
          if (sk === 'flaky' && failOnceFor === undefined) {
            failOnceFor = record.dynamodb!.SequenceNumber!;
            failures.push({ itemIdentifier: failOnceFor });
          }
        }
        return { batchItemFailures: failures };
      },
    });
    try {
      // Skip what earlier tests wrote.
      expect(await poller.flush()).toBe(true);
      seen.length = 0;
      for (const sk of ['one', 'flaky', 'two', 'poison', 'three']) {
        await client.send(new PutItemCommand({ TableName: names.registryTable, Item: { PK: { S: 'P' }, SK: { S: sk } } }));
      }
      expect(await poller.flush()).toBe(true);
      // 'flaky' failed once and was redelivered from there ('one' before it was checkpointed);
      // 'poison' failed, was retried 3 times from its own position, then went to the destination
      // (one more delivery when it first rode along behind 'flaky').
      expect(seen.filter((sk) => sk === 'one')).toHaveLength(1);
      expect(seen.filter((sk) => sk === 'flaky')).toHaveLength(2);
      const poisonDeliveries = seen.filter((sk) => sk === 'poison').length;
      expect(poisonDeliveries).toBeGreaterThanOrEqual(4);
      expect(poisonDeliveries).toBeLessThanOrEqual(5);
      expect(failedBatches).toHaveLength(1);
      expect(failedBatches[0]!.records[0]!.dynamodb?.Keys?.SK).toEqual({ S: 'poison' });
      expect(poller.stats.failedBatches).toBe(1);
    } finally {
      await poller.stop();
    }
  });
});

describe('local tokens', () => {
  it('signs HS256 tokens with sub, iat, exp and scope', async () => {
    const token = await signLocalToken('alice', { scope: 'repo:read  repo:write', ttlSeconds: 60 });
    const { payload, protectedHeader } = await jwtVerify(token, new TextEncoder().encode('local-dev-secret'));
    expect(protectedHeader.alg).toBe('HS256');
    expect(payload).toMatchObject({ sub: 'alice', scope: 'repo:read repo:write' });
    expect(payload.exp! - payload.iat!).toBe(60);
    expect(parseTokenArgs(['bob', '--scope', 'repo:admin', '--ttl', '120'])).toEqual({ username: 'bob', scope: 'repo:admin', ttlSeconds: 120 });
    expect(() => parseTokenArgs(['bob', '--ttl', '-1'])).toThrow(/ttl/);
  });
});
