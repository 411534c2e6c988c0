/**
 * A test mode for read-your-writes: a DynamoDB client whose index queries do not yet see items
 * written in the last `lagMs` milliseconds, as a global secondary index on AWS may not (DynamoDB
 * Local updates its indexes at once). Base-table reads are untouched. Used by the local runtime
 * (`indexLagMs`) and the integration tests; never in a deployed function.
 */
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

type Item = Record<string, unknown>;
type Command = Parameters<DynamoDBDocumentClient['send']>[0];

/** The keys (PK, SK) an item write touches, whatever command carries it. */
function writtenKeys(command: Command): Item[] {
  const input = command.input as Item;
  const name = command.constructor.name;
  const keyOf = (entry: Item | undefined) => (entry ? ((entry.Item ?? entry.Key) as Item | undefined) : undefined);
  if (name === 'PutCommand' || name === 'UpdateCommand' || name === 'DeleteCommand') return [keyOf(input)].filter(Boolean) as Item[];
  if (name === 'TransactWriteCommand') {
    return ((input.TransactItems as Item[]) ?? []).map((entry) => keyOf((entry.Put ?? entry.Update ?? entry.Delete) as Item | undefined)).filter(Boolean) as Item[];
  }
  if (name === 'BatchWriteCommand') {
    return Object.values(input.RequestItems as Record<string, Item[]>)
      .flat()
      .map((request) => keyOf((request.PutRequest ?? request.DeleteRequest) as Item | undefined))
      .filter(Boolean) as Item[];
  }
  return [];
}

const keyText = (item: Item) => `${String(item.PK)}\u0000${String(item.SK)}`;

/** `client`, except that index queries hide the items written through it in the last `lagMs`. */
export function withIndexLag(client: DynamoDBDocumentClient, lagMs: number): DynamoDBDocumentClient {
  const writtenAt = new Map<string, number>();
  const lagging = Object.create(client) as DynamoDBDocumentClient;
  const send = async (command: Command) => {
    const now = Date.now();
    for (const key of writtenKeys(command)) writtenAt.set(keyText(key), now);
    const output = (await client.send(command as never)) as { Items?: Item[]; Count?: number };
    if (command.constructor.name === 'QueryCommand' && (command.input as Item).IndexName && output.Items) {
      output.Items = output.Items.filter((item) => now - (writtenAt.get(keyText(item)) ?? 0) >= lagMs);
      output.Count = output.Items.length;
    }
    return output;
  };
  Object.defineProperty(lagging, 'send', { value: send });
  return lagging;
}
