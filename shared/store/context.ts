/**
 * What every store operation runs against: the DynamoDB client and the names of the two tables.
 * createStore (shared/store/index.ts) binds it once per cold start; no module holds a client.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface StoreTables {
  registry: string;
  audit: string;
}

export interface StoreContext {
  client: DynamoDBDocumentClient;
  tables: StoreTables;
}
