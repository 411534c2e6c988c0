/**
 * Read helpers shared by the store modules: strongly consistent batch gets, the one page iterator
 * every multi-page query runs on, and the check of a resume position a client handed back.
 */
import { BatchGetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { StoreContext } from './context.js';
import { InvalidPositionError } from './errors.js';

export type Item = Record<string, unknown>;

/** A resume position inside a query: DynamoDB's LastEvaluatedKey (opaque outside the store). */
export type QueryPosition = Record<string, unknown>;

/**
 * Every item of `keys` that exists, strongly consistent, 100 keys per request; keys DynamoDB left
 * unprocessed (throttling) are asked again.
 */
export async function batchGet(ctx: StoreContext, table: string, keys: Item[]): Promise<Item[]> {
  const found: Item[] = [];
  for (let offset = 0; offset < keys.length; offset += 100) {
    let pending: Item[] | undefined = keys.slice(offset, offset + 100);
    while (pending && pending.length) {
      const result = await ctx.client.send(new BatchGetCommand({ RequestItems: { [table]: { Keys: pending, ConsistentRead: true } } }));
      found.push(...(result.Responses?.[table] ?? []));
      pending = result.UnprocessedKeys?.[table]?.Keys as Item[] | undefined;
    }
  }
  return found;
}

export interface PageWalk {
  /** Where to start (undefined: at the beginning). */
  from?: QueryPosition;
  /** The Limit of the next request (undefined: as many as DynamoDB returns in one page). */
  limit?: () => number;
  /** Receives each page's items and how many items DynamoDB read for it; false stops the walk. */
  onPage: (items: Item[], scanned: number) => boolean | Promise<boolean>;
}

/**
 * Runs a query page after page until it is exhausted or `onPage` says stop. Returns where DynamoDB
 * stopped reading (undefined when nothing more matches), so a caller can hand out a cursor.
 */
export async function queryPages(ctx: StoreContext, input: QueryCommandInput, walk: PageWalk): Promise<QueryPosition | undefined> {
  let from = walk.from;
  do {
    const result = await ctx.client.send(new QueryCommand({ ...input, ExclusiveStartKey: from, Limit: walk.limit?.() }));
    from = result.LastEvaluatedKey;
    if (!(await walk.onPage(result.Items ?? [], result.ScannedCount ?? result.Items?.length ?? 0))) break;
  } while (from);
  return from;
}

/** The items of one partition whose sort key starts with `prefix` (small, bounded sets). */
export async function queryPrefix(ctx: StoreContext, table: string, pk: string, prefix: string): Promise<Item[]> {
  const items: Item[] = [];
  await queryPages(
    ctx,
    {
      TableName: table,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
      ConsistentRead: true,
    },
    { onPage: (page) => (items.push(...page), true) },
  );
  return items;
}

/**
 * A resume position a client handed back (inside a cursor), checked before it reaches DynamoDB:
 * exactly the key attributes `keys`, each a string of bounded length, whose values `valid`
 * accepts (they must lie in the partition the query reads). Anything else: InvalidPositionError.
 */
export function checkPosition(
  position: unknown,
  keys: readonly string[],
  valid: (key: Record<string, string>) => boolean,
): QueryPosition {
  const shaped =
    position !== null &&
    typeof position === 'object' &&
    !Array.isArray(position) &&
    Object.keys(position).length === keys.length &&
    keys.every((key) => typeof (position as Item)[key] === 'string' && ((position as Item)[key] as string).length <= 1024) &&
    valid(position as Record<string, string>);
  if (!shaped) throw new InvalidPositionError();
  return position as QueryPosition;
}
