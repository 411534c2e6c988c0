/** Read helpers shared by the store modules: strongly consistent batch gets and prefix queries. */
import { BatchGetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from './client.js';

type Item = Record<string, unknown>;

/**
 * Every item of `keys` that exists, strongly consistent, 100 keys per request; keys DynamoDB left
 * unprocessed (throttling) are asked again.
 */
export async function batchGet(table: string, keys: Item[]): Promise<Item[]> {
  const found: Item[] = [];
  for (let offset = 0; offset < keys.length; offset += 100) {
    let pending: Item[] | undefined = keys.slice(offset, offset + 100);
    while (pending && pending.length) {
      const result = await dynamo().send(new BatchGetCommand({ RequestItems: { [table]: { Keys: pending, ConsistentRead: true } } }));
      found.push(...(result.Responses?.[table] ?? []));
      pending = result.UnprocessedKeys?.[table]?.Keys as Item[] | undefined;
    }
  }
  return found;
}

/** The items of one partition whose sort key starts with `prefix` (small, bounded sets). */
export async function queryPrefix(table: string, pk: string, prefix: string): Promise<Item[]> {
  const items: Item[] = [];
  let from: Item | undefined;
  do {
    const result = await dynamo().send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
        ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
        ConsistentRead: true,
        ExclusiveStartKey: from,
      }),
    );
    items.push(...(result.Items ?? []));
    from = result.LastEvaluatedKey;
  } while (from);
  return items;
}
