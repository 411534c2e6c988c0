/**
 * Creates the tables of infra/tables.ts in a local DynamoDB if they are missing, with TTL enabled,
 * so the local tables are the deployed ones. Idempotent: safe on every start and from parallel
 * callers.
 */
import {
  DeleteTableCommand,
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  UpdateTimeToLiveCommand,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { auditTable, createTableInput, registryTable, TTL_ATTRIBUTE, type TableDefinition } from '../tables.js';

export interface TableNames {
  registryTable: string;
  auditTable: string;
}

export interface EnsuredTable {
  name: string;
  created: boolean;
  /** Differences between an existing table and its definition (e.g. stale data in .local/). */
  mismatches: string[];
  streamArn: string | undefined;
}

/** A client for a local endpoint; dummy credentials unless the environment provides some. */
export function localDynamoClient(endpoint: string, region = process.env.AWS_REGION ?? 'us-east-1'): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region,
    credentials: {
      accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? 'local',
      secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? 'local',
    },
    maxAttempts: 3,
  });
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : '';
}

async function describe(client: DynamoDBClient, name: string): Promise<TableDescription | undefined> {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: name }))).Table;
  } catch (error) {
    if (errorName(error) === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}

/** What an existing table lacks compared with its definition. */
export function compareTable(definition: TableDefinition, table: TableDescription): string[] {
  const problems: string[] = [];
  const keys = (schema: { AttributeName?: string; KeyType?: string }[] | undefined) =>
    (schema ?? []).map((key) => `${key.AttributeName}:${key.KeyType}`).join(',');
  const wantKeys = `${definition.partitionKey.name}:HASH,${definition.sortKey.name}:RANGE`;
  if (keys(table.KeySchema) !== wantKeys) problems.push(`key schema is ${keys(table.KeySchema)}, expected ${wantKeys}`);
  const indexes = new Map((table.GlobalSecondaryIndexes ?? []).map((index) => [index.IndexName, index]));
  for (const index of definition.indexes) {
    const existing = indexes.get(index.indexName);
    const want = `${index.partitionKey.name}:HASH,${index.sortKey.name}:RANGE`;
    if (!existing) problems.push(`index ${index.indexName} is missing`);
    else if (keys(existing.KeySchema) !== want) problems.push(`index ${index.indexName} has keys ${keys(existing.KeySchema)}, expected ${want}`);
    indexes.delete(index.indexName);
  }
  for (const extra of indexes.keys()) problems.push(`index ${extra} is not in the definition`);
  const streamOn = table.StreamSpecification?.StreamEnabled === true;
  if (streamOn !== definition.stream) problems.push(`stream is ${streamOn ? 'on' : 'off'}, expected ${definition.stream ? 'on' : 'off'}`);
  return problems;
}

async function ensureTable(client: DynamoDBClient, definition: TableDefinition, name: string): Promise<EnsuredTable> {
  let table = await describe(client, name);
  let created = false;
  if (!table) {
    try {
      table = (await client.send(new CreateTableCommand(createTableInput(definition, name)))).TableDescription;
      created = true;
    } catch (error) {
      // Someone else created it between our describe and create.
      if (errorName(error) !== 'ResourceInUseException') throw error;
      table = await describe(client, name);
    }
  }
  if (!table) throw new Error(`table ${name} could not be created`);

  const ttlAttribute = definition.timeToLiveAttribute || TTL_ATTRIBUTE;
  const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: name }));
  const status = ttl.TimeToLiveDescription?.TimeToLiveStatus;
  const mismatches = created ? [] : compareTable(definition, table);
  if (status !== 'ENABLED' && status !== 'ENABLING') {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: name,
        TimeToLiveSpecification: { Enabled: true, AttributeName: ttlAttribute },
      }),
    );
  } else if (ttl.TimeToLiveDescription?.AttributeName !== ttlAttribute) {
    // Reported, not changed: the TTL attribute of a table cannot be switched in one step.
    mismatches.push(`TTL attribute is ${ttl.TimeToLiveDescription?.AttributeName}, expected ${ttlAttribute}`);
  }

  return {
    name,
    created,
    mismatches,
    streamArn: table.LatestStreamArn,
  };
}

/**
 * Creates the registry and audit tables when missing and enables TTL on them. Existing tables are
 * kept as they are; differences from the definitions are returned (not fixed) so the caller can
 * warn about stale local data.
 */
export async function ensureTables(
  endpoint: string,
  names: TableNames,
): Promise<{ registry: EnsuredTable; audit: EnsuredTable }> {
  const client = localDynamoClient(endpoint);
  try {
    const [registry, audit] = await Promise.all([
      ensureTable(client, registryTable, names.registryTable),
      ensureTable(client, auditTable, names.auditTable),
    ]);
    return { registry, audit };
  } finally {
    client.destroy();
  }
}

/** Deletes the tables (tests clean up after themselves on the shared DynamoDB Local). */
export async function dropTables(endpoint: string, names: { registryTable: string; auditTable: string }): Promise<void> {
  const client = localDynamoClient(endpoint);
  try {
    await Promise.allSettled([
      client.send(new DeleteTableCommand({ TableName: names.registryTable })),
      client.send(new DeleteTableCommand({ TableName: names.auditTable })),
    ]);
  } finally {
    client.destroy();
  }
}
