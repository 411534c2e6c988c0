/**
 * The audit consumer on DynamoDB Local's real stream: one entry per change, replays write nothing,
 * a failing record is reported without holding back the rest.
 */
import { QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStreamPoller } from '../../infra/local/stream-poller.js';
import { createDynamoClient } from '../../shared/store/client.js';
import { handler as auditHandler } from '../../functions/audit-stream.js';
import { createRepository, push } from '../support/fixtures.js';
import { startTestServer } from '../support/local-server.js';
import type { TestServer } from '../support/local-server.js';
import { imageManifest } from '../support/manifests.js';

let server: TestServer;
const captured: DynamoDBRecord[] = [];
let poller: ReturnType<typeof startStreamPoller>;
let dynamoClient: ReturnType<typeof createDynamoClient> | undefined;
const client = () => (dynamoClient ??= createDynamoClient({ region: 'us-east-1', endpoint: server.dynamoEndpoint }));

beforeAll(async () => {
  // The server's own poller is off: this file feeds the consumer itself.
  server = await startTestServer({ streamPolling: false });
  poller = startStreamPoller({
    endpoint: server.dynamoEndpoint,
    tableName: server.registryTable,
    handler: async (event: DynamoDBStreamEvent) => {
      captured.push(...event.Records);
      return { batchItemFailures: [] };
    },
  });
});

afterAll(async () => {
  await poller?.stop();
  dynamoClient?.destroy();
  await server?.stop();
});

async function auditCount(): Promise<number> {
  // Test-only census of a tiny table; request paths never scan.
  const result = await client().send(new ScanCommand({ TableName: server.auditTable, Select: 'COUNT' }));
  return result.Count ?? 0;
}

const changeRecords = () => captured.filter((record) => record.eventName === 'INSERT' && record.dynamodb?.NewImage?.type?.S === 'change');

describe('audit-stream handler', () => {
  it('writes one entry per change record, and nothing for other records', async () => {
    const token = await server.tokenFor('streamer');
    await createRepository(server, token, 'streamer', 'repo');
    await push(server, token, 'streamer/repo', 'latest', imageManifest());
    await server.api('DELETE', '/api/v1/repository/streamer/repo/tag/latest', { token });
    expect(await poller.flush()).toBe(true);

    const changes = changeRecords();
    expect(changes.map((record) => record.dynamodb?.NewImage?.kind?.S)).toEqual(['create_repo', 'push_repo', 'delete_tag']);
    expect(captured.length).toBeGreaterThan(changes.length);

    const result = await auditHandler({ Records: captured });
    expect(result.batchItemFailures).toEqual([]);
    expect(await auditCount()).toBe(3);
    const entries = await client().send(
      new QueryCommand({
        TableName: server.auditTable,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': 'REPO#streamer/repo' },
      }),
    );
    expect(entries.Items?.map((item) => item.kind)).toEqual(['create_repo', 'push_repo', 'delete_tag']);
    expect(entries.Items?.[2].eventId).toBe(changes[2].eventID);
  });

  it('replaying the batch, or part of it, adds nothing', async () => {
    await auditHandler({ Records: captured });
    await auditHandler({ Records: changeRecords().slice(1) });
    expect(await auditCount()).toBe(3);
  });

  it('reports a failing record by sequence number and still writes the others', async () => {
    const token = await server.tokenFor('streamer');
    await push(server, token, 'streamer/repo', 'again', imageManifest());
    await push(server, token, 'streamer/repo', 'more', imageManifest());
    expect(await poller.flush()).toBe(true);
    const [first, second] = changeRecords().slice(-2);
    const broken: DynamoDBRecord = structuredClone(first);
    delete broken.dynamodb!.NewImage!.kind;
    broken.eventID = 'broken-event';
    broken.dynamodb!.SequenceNumber = '42';

    const result = await auditHandler({ Records: [broken, second] });
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: '42' }]);
    expect(await auditCount()).toBe(4);
    // Lambda retries from the failed record; once it is fixed, the rest is a no-op.
    await auditHandler({ Records: [first, second] });
    expect(await auditCount()).toBe(5);
  });
});
