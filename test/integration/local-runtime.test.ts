/**
 * The local runtime itself: DynamoDB Local, the tables, the local server and its test hooks, the
 * stream poller, the tokens. The gateway is covered by local-runtime-gateway.test.ts and
 * local-runtime-routes.test.ts, its pure parts by test/unit/.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
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

  it('answers 404 {"message":"Not Found"} for an unknown route and for a wrong method, as HTTP APIs do', async () => {
    const unknown = await server.api('GET', '/api/v1/nothing-here');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ message: 'Not Found' });
    for (const method of ['DELETE', 'POST', 'PATCH', 'OPTIONS']) {
      const wrong = await server.api(method, '/health/instance');
      expect(wrong.status, method).toBe(404);
      expect(wrong.body, method).toEqual({ message: 'Not Found' });
      expect(wrong.headers.get('allow'), method).toBeNull();
    }
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
