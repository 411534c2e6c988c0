process.env.LOG_LEVEL = 'error';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
import { QueryCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
const { Bench } = await import('./lib/harness.js');
const { buildHistory, makeManifests, putAll, seedClient } = await import('./lib/seed.js');
const { createRepository } = await import('./lib/fixture.js');
const { median } = await import('./lib/stats.js');
const bench = await Bench.start();
const client = seedClient(bench.endpoint);
const table = bench.server.registryTable;
const token = await bench.token('bench');
try {
  for (const size of [1000, 100000]) {
    const names = Array.from({ length: size / 100 }, (_, i) => `t${i}`);
    const path = await createRepository(bench, token, `p${size}`);
    const pk = `REPO#${path}`;
    const t = Date.now();
    const h = buildHistory({ pk, events: Array.from({ length: size }, (_, i) => names[i % names.length]), manifests: makeManifests(199, 0), t0: Date.now() - 3e8, stepMs: 1000, windowS: 1209600 });
    await putAll(client, table, h.items, 4);
    console.log('seeded', size, Date.now() - t, 'ms');
    const time = async (label: string, fn: () => Promise<unknown>) => {
      const s: number[] = [];
      for (let i = 0; i < 15; i++) { const a = performance.now(); await fn(); s.push(performance.now() - a); }
      console.log(size, label.padEnd(40), median(s).toFixed(2));
    };
    await time('query H# limit 6', () => client.send(new QueryCommand({ TableName: table, KeyConditionExpression: 'PK = :pk AND begins_with(SK, :p)', ExpressionAttributeValues: { ':pk': pk, ':p': 'H#' }, Limit: 6, ConsistentRead: true })));
    const sorted = [...h.items].filter((i) => String(i.SK).startsWith('H#')).map((i) => String(i.SK)).sort();
    const mid = sorted[Math.floor(sorted.length / 2)];
    await time('query H# limit 6 from middle', () => client.send(new QueryCommand({ TableName: table, KeyConditionExpression: 'PK = :pk AND begins_with(SK, :p)', ExpressionAttributeValues: { ':pk': pk, ':p': 'H#' }, Limit: 6, ConsistentRead: true, ExclusiveStartKey: { PK: pk, SK: mid } })));
    await time('activeTags limit 6', () => client.send(new QueryCommand({ TableName: table, IndexName: 'activeTags', KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': pk }, Limit: 6 })));
    await time('tagHistory limit 6', () => client.send(new QueryCommand({ TableName: table, IndexName: 'tagHistory', KeyConditionExpression: 'tagKey = :k', ExpressionAttributeValues: { ':k': `${pk}#t0` }, Limit: 6 })));
    await time('tagsByManifest limit 25', () => client.send(new QueryCommand({ TableName: table, IndexName: 'tagsByManifest', KeyConditionExpression: 'manifestKey = :k', ExpressionAttributeValues: { ':k': `${pk}#${h.alive.get('t1')!.manifestDigest}` }, Limit: 25 })));
    await time('get pointer', () => client.send(new GetCommand({ TableName: table, Key: { PK: pk, SK: 'TAG#t1' }, ConsistentRead: true })));
  }
} finally { client.destroy(); await bench.stop(); }
