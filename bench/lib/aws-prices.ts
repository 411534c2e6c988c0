/**
 * AWS on-demand list prices the cost table of bench/RESULTS.md uses: us-east-1, USD, first tier,
 * no free tier, checked on 2026-12-02 against the published pricing pages (Lambda, API Gateway,
 * DynamoDB, CloudWatch, EventBridge) and pages quoting them. Edit them here, and only here, when
 * AWS changes them; `PRICES_CHECKED` is printed with the table.
 */
export const PRICES_CHECKED = '2026-12-02';
export const PRICES_REGION = 'us-east-1';

export const PRICES = {
  /** Lambda, arm64: per GB-second of duration (first 7.5 billion GB-s a month), billed per 1 ms. */
  lambdaArmGbSecond: 0.0000133334,
  /** Lambda: per request (invocation), any architecture. */
  lambdaRequest: 0.2 / 1e6,
  /** API Gateway HTTP API: per request, first 300 million a month (metered in 512 KB increments). */
  httpApiRequest: 1.0 / 1e6,
  /** DynamoDB on-demand, Standard table class: per write request unit (1 KB; ×2 in a transaction). */
  dynamoWriteUnit: 0.625 / 1e6,
  /** DynamoDB on-demand, Standard table class: per read request unit (4 KB strongly consistent; ×2 in a transaction). */
  dynamoReadUnit: 0.125 / 1e6,
  /** DynamoDB Standard table class: storage per GB-month (beyond the first 25 GB free). */
  dynamoStorageGbMonth: 0.25,
  /** DynamoDB continuous backups (point-in-time recovery): per GB-month of table size. */
  dynamoPitrGbMonth: 0.2,
  /** DynamoDB Streams read by a Lambda event source mapping: free (GetRecords from other clients is billed). */
  streamReadByLambda: 0,
  /** CloudWatch: a standard-resolution metric alarm, per month. */
  cloudWatchAlarmMonth: 0.1,
  /** CloudWatch Logs: ingestion per GB (standard log class). */
  cloudWatchLogsIngestGb: 0.5,
  /** EventBridge Scheduler: per invocation beyond the 14 million free each month. */
  schedulerInvocation: 1.0 / 1e6,
  schedulerFreeInvocationsMonth: 14_000_000,
} as const;

/**
 * The deployed shape the costs depend on, restated from infra/ (kept here so the report needs no
 * CDK import): every function has 512 MB (infra/constructs/service-function.ts), the sweep runs
 * every minute (infra/stack.ts), and the stack has these five standard alarms (infra/stack.ts).
 * Tables use AWS-owned keys and the queues SSE-SQS, so no KMS key is billed.
 */
export const DEPLOYED = {
  lambdaMemoryMb: 512,
  sweepsPerDay: 24 * 60,
  alarms: ['ApiServerErrors', 'AuditStreamDeadLetterDepth', 'SweepScheduleDeadLetterDepth', 'AuditStreamIteratorAge', 'SweepErrors'],
  /**
   * CloudWatch Logs bytes one idle sweep invocation writes: Lambda's START, END and REPORT lines
   * plus the sweep's one report line at the default `info` level. An estimate, not a measurement.
   */
  sweepLogBytes: 1000,
} as const;

/** The cost in USD of one Lambda invocation of `ms` at the deployed memory (duration billed per started ms). */
export function lambdaInvocationCost(ms: number): number {
  const billedSeconds = Math.max(1, Math.ceil(ms)) / 1000;
  return PRICES.lambdaRequest + (DEPLOYED.lambdaMemoryMb / 1024) * billedSeconds * PRICES.lambdaArmGbSecond;
}

const READ_COMMANDS = ['GetItemCommand', 'QueryCommand', 'ScanCommand', 'BatchGetItemCommand', 'TransactGetItemsCommand'];

/**
 * The read units AWS bills for a request: what DynamoDB (Local) reported, but at least half a unit
 * per read request, since AWS bills a Query or GetItem that finds nothing at its minimum (0.5 RRU
 * eventually consistent, 1 strongly consistent) while DynamoDB Local reports 0.
 */
export function billedReadUnits(readUnits: number, byCommand: Record<string, number>): number {
  const reads = READ_COMMANDS.reduce((sum, command) => sum + (byCommand[command] ?? 0), 0);
  return Math.max(readUnits, 0.5 * reads);
}

/** The cost in USD of the read and write request units a request consumed. */
export function dynamoCost(readUnits: number, writeUnits: number): number {
  return readUnits * PRICES.dynamoReadUnit + writeUnits * PRICES.dynamoWriteUnit;
}
