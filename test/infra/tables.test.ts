/**
 * The tables CDK deploys are the tables the local runtime creates: both come from infra/tables.ts,
 * one through tablePropsOf (CDK), the other through createTableInput (CreateTable locally). This
 * compares the synthesized CloudFormation with the CreateTable input, field by field.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ServiceTable } from '../../infra/constructs/table.js';
import { compareTable } from '../../infra/local/tables.js';
import { auditTable, createTableInput, registryTable, type TableDefinition } from '../../infra/tables.js';

interface CfnKey {
  AttributeName: string;
  KeyType: string;
}
interface CfnTable {
  KeySchema: CfnKey[];
  AttributeDefinitions: { AttributeName: string; AttributeType: string }[];
  BillingMode?: string;
  GlobalSecondaryIndexes?: { IndexName: string; KeySchema: CfnKey[]; Projection: { ProjectionType: string; NonKeyAttributes?: string[] } }[];
  StreamSpecification?: { StreamViewType: string };
  TimeToLiveSpecification?: { AttributeName: string; Enabled: boolean };
  PointInTimeRecoverySpecification?: { PointInTimeRecoveryEnabled: boolean };
  DeletionProtectionEnabled?: boolean;
}

/** A definition that uses what the real ones do not: number and binary keys, no index, no stream. */
const plainTable: TableDefinition = {
  partitionKey: { name: 'id', type: 'B' },
  sortKey: { name: 'version', type: 'N' },
  indexes: [],
  timeToLiveAttribute: 'ttl',
  stream: false,
};

function synthesize(definition: TableDefinition): CfnTable {
  const stack = new Stack(new App(), 'Tables');
  new ServiceTable(stack, 'Table', { definition });
  const tables = Object.values(Template.fromStack(stack).findResources('AWS::DynamoDB::Table'));
  expect(tables).toHaveLength(1);
  return tables[0].Properties as CfnTable;
}

const byName = <T extends { AttributeName: string }>(items: T[]) => [...items].sort((a, b) => a.AttributeName.localeCompare(b.AttributeName));

describe.each([
  ['registry', registryTable],
  ['audit', auditTable],
  ['plain (B/N keys, no index, no stream)', plainTable],
])('the %s table', (_name, definition) => {
  const cfn = synthesize(definition);
  const local = createTableInput(definition, 'local-name');

  it('has the same key schema and attribute types', () => {
    expect(cfn.KeySchema).toEqual(local.KeySchema);
    expect(byName(cfn.AttributeDefinitions)).toEqual(byName(local.AttributeDefinitions));
  });

  it('bills on demand, like the local table', () => {
    expect(cfn.BillingMode).toBe(local.BillingMode);
  });

  it('has the same global secondary indexes with the same projections', () => {
    const deployed = (cfn.GlobalSecondaryIndexes ?? []).map(({ IndexName, KeySchema, Projection }) => ({ IndexName, KeySchema, Projection }));
    expect(deployed).toEqual(local.GlobalSecondaryIndexes ?? []);
    expect(deployed.map((index) => index.IndexName)).toEqual(definition.indexes.map((index) => index.indexName));
  });

  it('has the same stream', () => {
    expect(cfn.StreamSpecification?.StreamViewType).toBe(local.StreamSpecification?.StreamViewType);
    expect(cfn.StreamSpecification !== undefined).toBe(definition.stream);
  });

  it('enables TTL on the attribute the local runtime enables', () => {
    // infra/local/tables.ts enables TTL on definition.timeToLiveAttribute after CreateTable.
    expect(cfn.TimeToLiveSpecification).toEqual({ AttributeName: definition.timeToLiveAttribute, Enabled: true });
  });

  it('passes the local runtime’s own table check', () => {
    const description = {
      KeySchema: cfn.KeySchema as { AttributeName: string; KeyType: 'HASH' | 'RANGE' }[],
      GlobalSecondaryIndexes: (cfn.GlobalSecondaryIndexes ?? []).map((index) => ({
        IndexName: index.IndexName,
        KeySchema: index.KeySchema as { AttributeName: string; KeyType: 'HASH' | 'RANGE' }[],
      })),
      StreamSpecification: cfn.StreamSpecification ? { StreamEnabled: true } : undefined,
    };
    expect(compareTable(definition, description)).toEqual([]);
  });

  it('is protected: point-in-time recovery and deletion protection', () => {
    expect(cfn.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(cfn.DeletionProtectionEnabled).toBe(true);
  });
});
