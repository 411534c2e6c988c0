/**
 * Idempotency records (Idempotency-Key): one item per caller and key in its own partition of the
 * registry table, `type: 'idempotency'` (the audit stream consumer takes only `type: 'change'`).
 * A conditional put claims the key (in flight, with a lock that lapses if the function dies); the
 * first response completes it; a failed request releases it. The table's TTL deletes it after 24 h.
 */
import { createHash, randomUUID } from 'node:crypto';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { StoreContext } from './context.js';
import { TTL_ATTRIBUTE } from './schema.js';

export const IDEMPOTENCY_TTL_S = 24 * 3600;
/** How long a claim holds without a response (well above the functions' 10 s timeout). */
export const IDEMPOTENCY_LOCK_MS = 30_000;

export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  isBase64Encoded: boolean;
}

export interface IdempotencyClaim {
  /** Who sent the key (keys are scoped to the caller). */
  caller: string;
  key: string;
  /** A hash of the request: the same key with another request is refused. */
  fingerprint: string;
  nowMs: number;
}

export type ClaimOutcome =
  | { kind: 'claimed'; token: string }
  | { kind: 'in_flight'; fingerprint: string }
  | { kind: 'done'; fingerprint: string; response: StoredResponse };

function itemKey(caller: string, key: string) {
  // Hashed: keys may hold any printable character and the caller's name is not repeated in keys.
  const hash = createHash('sha256').update(caller).update('\n').update(key).digest('hex');
  return { PK: `IDEM#${hash}`, SK: 'IDEM' };
}

export async function claimIdempotencyKey(ctx: StoreContext, claim: IdempotencyClaim): Promise<ClaimOutcome> {
  const Key = itemKey(claim.caller, claim.key);
  const token = randomUUID();
  try {
    await ctx.client.send(
      new PutCommand({
        TableName: ctx.tables.registry,
        Item: {
          ...Key,
          type: 'idempotency',
          state: 'in_flight',
          token,
          fingerprint: claim.fingerprint,
          lockedUntil: claim.nowMs + IDEMPOTENCY_LOCK_MS,
          [TTL_ATTRIBUTE]: Math.floor(claim.nowMs / 1000) + IDEMPOTENCY_TTL_S,
        },
        // New, past its 24 h (TTL deletion lags), or a claim whose function died.
        ConditionExpression: 'attribute_not_exists(PK) OR #ttl < :nowS OR (#state = :inFlight AND lockedUntil < :now)',
        ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE, '#state': 'state' },
        ExpressionAttributeValues: { ':nowS': Math.floor(claim.nowMs / 1000), ':inFlight': 'in_flight', ':now': claim.nowMs },
      }),
    );
    return { kind: 'claimed', token };
  } catch (error) {
    if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
  }
  const { Item } = await ctx.client.send(new GetCommand({ TableName: ctx.tables.registry, Key, ConsistentRead: true }));
  // Gone meanwhile (released by a failed first request): report it in flight, the caller retries.
  if (!Item || Item.state !== 'done') return { kind: 'in_flight', fingerprint: (Item?.fingerprint as string) ?? claim.fingerprint };
  return { kind: 'done', fingerprint: Item.fingerprint as string, response: Item.response as StoredResponse };
}

/** Stores the first response, if this claim still holds the key. */
export async function completeIdempotencyKey(ctx: StoreContext, caller: string, key: string, token: string, response: StoredResponse) {
  await ctx.client.send(
    new UpdateCommand({
      TableName: ctx.tables.registry,
      Key: itemKey(caller, key),
      UpdateExpression: 'SET #state = :done, #response = :response REMOVE lockedUntil',
      ConditionExpression: '#token = :token',
      ExpressionAttributeNames: { '#state': 'state', '#response': 'response', '#token': 'token' },
      ExpressionAttributeValues: { ':done': 'done', ':response': response, ':token': token },
    }),
  );
}

/** Gives the key back (the request failed and wrote nothing), if this claim still holds it. */
export async function releaseIdempotencyKey(ctx: StoreContext, caller: string, key: string, token: string) {
  try {
    await ctx.client.send(
      new DeleteCommand({
        TableName: ctx.tables.registry,
        Key: itemKey(caller, key),
        ConditionExpression: '#token = :token',
        ExpressionAttributeNames: { '#token': 'token' },
        ExpressionAttributeValues: { ':token': token },
      }),
    );
  } catch (error) {
    if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
  }
}
