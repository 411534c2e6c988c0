/**
 * The DynamoDB table definitions as the CDK stack and the local runtime consume them. The
 * definitions themselves (keys, indexes, TTL attribute) live with the store, in
 * shared/store/schema.ts, so that nothing in shared/ reaches up into infra/; test/infra proves
 * that the deployed and the local tables match.
 */
import type { AttributeType, TableDefinition } from '../shared/store/schema.js';

export * from '../shared/store/schema.js';

/** The CreateTable input for a definition (local runtime and tests). */
export function createTableInput(definition: TableDefinition, tableName: string) {
  const attributes = new Map<string, AttributeType>();
  const keyAttributes = [definition.partitionKey, definition.sortKey];
  for (const index of definition.indexes) keyAttributes.push(index.partitionKey, index.sortKey);
  for (const attribute of keyAttributes) attributes.set(attribute.name, attribute.type);
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: [...attributes].map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType })),
    KeySchema: [
      { AttributeName: definition.partitionKey.name, KeyType: 'HASH' as const },
      { AttributeName: definition.sortKey.name, KeyType: 'RANGE' as const },
    ],
    GlobalSecondaryIndexes: definition.indexes.length
      ? definition.indexes.map((index) => ({
          IndexName: index.indexName,
          KeySchema: [
            { AttributeName: index.partitionKey.name, KeyType: 'HASH' as const },
            { AttributeName: index.sortKey.name, KeyType: 'RANGE' as const },
          ],
          Projection:
            index.projection === 'ALL'
              ? { ProjectionType: 'ALL' as const }
              : { ProjectionType: 'INCLUDE' as const, NonKeyAttributes: index.projection },
        }))
      : undefined,
    StreamSpecification: definition.stream ? { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' as const } : undefined,
  };
}
