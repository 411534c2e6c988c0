/**
 * The DynamoDB client, built once per cold start (shared/deps.ts) and handed to createStore. Every
 * client counts round trips and consumed capacity into the process-wide `usage`, so the benchmarks
 * (and curious tests) can verify the cost of each request without guessing.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface DynamoUsage {
  roundTrips: number;
  /**
   * Round trips in a row: the longest chain of requests each started after the previous one had
   * answered. A request started while others are in flight runs beside them (depth: one more than
   * the deepest request already answered), so requests sent together count once.
   */
  sequential: number;
  /** The deepest request answered so far (since resetUsage). */
  answeredDepth: number;
  readCapacity: number;
  writeCapacity: number;
  byCommand: Record<string, number>;
}

export const usage: DynamoUsage = { roundTrips: 0, sequential: 0, answeredDepth: 0, readCapacity: 0, writeCapacity: 0, byCommand: {} };

export function resetUsage(): void {
  usage.roundTrips = 0;
  usage.sequential = 0;
  usage.answeredDepth = 0;
  usage.readCapacity = 0;
  usage.writeCapacity = 0;
  usage.byCommand = {};
}

interface CapacityUnits {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}

const WRITE_COMMANDS = /Put|Update|Delete|Write/;

/** Adds what DynamoDB reported (only when a request asked for ReturnConsumedCapacity). */
function addCapacity(command: string, consumed: CapacityUnits | CapacityUnits[] | undefined): void {
  for (const unit of Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) {
    if (unit.ReadCapacityUnits !== undefined || unit.WriteCapacityUnits !== undefined) {
      usage.readCapacity += unit.ReadCapacityUnits ?? 0;
      usage.writeCapacity += unit.WriteCapacityUnits ?? 0;
    } else if (WRITE_COMMANDS.test(command)) {
      usage.writeCapacity += unit.CapacityUnits ?? 0;
    } else {
      usage.readCapacity += unit.CapacityUnits ?? 0;
    }
  }
}

export interface DynamoClientOptions {
  region: string;
  /** DynamoDB endpoint override (DynamoDB Local); undefined on AWS. */
  endpoint?: string;
}

export function createDynamoClient({ region, endpoint: dynamoEndpoint }: DynamoClientOptions): DynamoDBDocumentClient {
  const base = new DynamoDBClient({
    region,
    endpoint: dynamoEndpoint,
    // DynamoDB Local accepts any credentials; on AWS the Lambda role's credentials are used.
    ...(dynamoEndpoint && !process.env.AWS_ACCESS_KEY_ID
      ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {}),
    maxAttempts: 4,
  });
  base.middlewareStack.add(
    (next, context) => async (args) => {
      usage.roundTrips += 1;
      const command = String(context.commandName ?? 'unknown');
      usage.byCommand[command] = (usage.byCommand[command] ?? 0) + 1;
      const depth = usage.answeredDepth + 1;
      usage.sequential = Math.max(usage.sequential, depth);
      const result = await next(args);
      usage.answeredDepth = Math.max(usage.answeredDepth, depth);
      addCapacity(command, (result.output as { ConsumedCapacity?: CapacityUnits | CapacityUnits[] }).ConsumedCapacity);
      return result;
    },
    { step: 'initialize', name: 'countRoundTrips' },
  );
  return DynamoDBDocumentClient.from(base, {
    marshallOptions: { removeUndefinedValues: true },
  });
}
