/**
 * Least-privilege DynamoDB grants, written out action by action. CDK's grantReadData would add
 * Scan (never used: every access pattern is a Query) and stream reads; grantReadWriteData adds
 * more. Listing the actions keeps every policy free of wildcards and easy to review.
 */
import { PolicyStatement, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { ServiceTable } from './table.js';

/** What a read-only handler needs: items by key, batches by key, queries, and the table's description. */
export const READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:DescribeTable'] as const;

/**
 * What a writer adds. TransactWriteItems has no action of its own: IAM checks each item in it
 * (Put, Update, Delete, ConditionCheck) against the item-level actions.
 */
export const WRITE_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:ConditionCheckItem',
] as const;

/** Indexes can only be queried. */
export const INDEX_ACTIONS = ['dynamodb:Query'] as const;

export type AccessLevel = 'read' | 'readwrite';

/** Adds the statements for one table to a function's role: one for the table, one for its indexes. */
export function grantTableAccess(grantee: IGrantable, table: ServiceTable, level: AccessLevel): void {
  const actions: string[] = [...READ_ACTIONS, ...(level === 'readwrite' ? WRITE_ACTIONS : [])];
  grantee.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({ actions, resources: [table.table.tableArn] }));
  const indexArns = table.indexArns();
  if (indexArns.length > 0) {
    grantee.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({ actions: [...INDEX_ACTIONS], resources: indexArns }));
  }
}
