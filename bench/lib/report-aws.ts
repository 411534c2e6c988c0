/**
 * The AWS cost section of bench/RESULTS.md: list prices (bench/lib/aws-prices.ts) applied to the
 * request units, round trips and handler times measured in sections 1 and 7.
 */
import type { CostRow } from './cost-row.js';
import type { AwsCostResult, BackgroundCost } from '../sections/aws-cost.js';
import { DEPLOYED, PRICES, PRICES_CHECKED, PRICES_REGION, billedReadUnits, dynamoCost, lambdaInvocationCost } from './aws-prices.js';
import { fixed } from './stats.js';
import { table } from './report-table.js';

const usd = (value: number) => (value === 0 ? '$0' : value >= 100 ? `$${value.toFixed(0)}` : value >= 1 ? `$${value.toFixed(2)}` : `$${value.toFixed(value >= 0.01 ? 3 : 4)}`);

interface Priced {
  api: number;
  lambda: number;
  dynamo: number;
  total: number;
}

type Measured = Pick<BackgroundCost, 'rcu' | 'wcu' | 'ms' | 'byCommand'>;

/** The read units billed, as shown in the tables. */
const rru = (row: Measured) => fixed(billedReadUnits(row.rcu, row.byCommand), 1);

/** One API request: API Gateway + one Lambda invocation + its request units. */
function apiRequest(row: Measured): Priced {
  const api = PRICES.httpApiRequest;
  const lambda = lambdaInvocationCost(row.ms);
  const dynamo = dynamoCost(billedReadUnits(row.rcu, row.byCommand), row.wcu);
  return { api, lambda, dynamo, total: api + lambda + dynamo };
}

/** One background invocation: no API Gateway. */
function background(cost: Measured): Priced {
  const lambda = lambdaInvocationCost(cost.ms);
  const dynamo = dynamoCost(billedReadUnits(cost.rcu, cost.byCommand), cost.wcu);
  return { api: 0, lambda, dynamo, total: lambda + dynamo };
}

const perMillion = (priced: Priced) => [usd(priced.api * 1e6), usd(priced.lambda * 1e6), usd(priced.dynamo * 1e6), `**${usd(priced.total * 1e6)}**`];

export function awsCostSection(rows: CostRow[] | undefined, aws: AwsCostResult | undefined): string {
  if (!rows?.length || rows.some((row) => row.ms === undefined)) return '';
  const title = '## 7. What it costs on AWS';
  const endpointRows = rows.map((row) => [`\`${row.endpoint}\``, row.variant, rru(row), fixed(row.wcu, 1), Math.max(1, Math.ceil(row.ms)), ...perMillion(apiRequest(row))]);
  if (aws) {
    endpointRows.push(
      ['`audit-stream`', 'one change record (background)', rru(aws.audit), fixed(aws.audit.wcu, 1), Math.max(1, Math.ceil(aws.audit.ms)), ...perMillion(background(aws.audit))],
      ['`expiry-sweep`', 'nothing due (background)', rru(aws.idleSweep), fixed(aws.idleSweep.wcu, 1), Math.max(1, Math.ceil(aws.idleSweep.ms)), ...perMillion(background(aws.idleSweep))],
    );
  }
  const push = rows.find((row) => row.endpoint === 'v2-put-manifest' && row.variant === 'by tag, new manifest');
  const read = rows.find((row) => row.endpoint === 'v2-get-manifest' && row.variant === 'GET by tag');
  const gb = DEPLOYED.lambdaMemoryMb / 1024;
  const prices = `Prices (${PRICES_REGION}, on demand, first tier, no free tier; checked ${PRICES_CHECKED}, constants in \`bench/lib/aws-prices.ts\`):
Lambda arm64 $${PRICES.lambdaArmGbSecond} per GB-s and $${(PRICES.lambdaRequest * 1e6).toFixed(2)} per million requests; API Gateway HTTP API
$${(PRICES.httpApiRequest * 1e6).toFixed(2)} per million requests; DynamoDB on demand (Standard class) $${(PRICES.dynamoReadUnit * 1e6).toFixed(3)} per million read
request units and $${(PRICES.dynamoWriteUnit * 1e6).toFixed(3)} per million write request units; CloudWatch $${PRICES.cloudWatchAlarmMonth.toFixed(2)} per standard alarm-month and
$${PRICES.cloudWatchLogsIngestGb.toFixed(2)} per GB of logs ingested; EventBridge Scheduler $${(PRICES.schedulerInvocation * 1e6).toFixed(2)} per million invocations beyond
${(PRICES.schedulerFreeInvocationsMonth / 1e6).toFixed(0)} million free a month; DynamoDB storage $${PRICES.dynamoStorageGbMonth.toFixed(2)} and point-in-time recovery $${PRICES.dynamoPitrGbMonth.toFixed(2)} per GB-month.`;
  const method = `Request units are those of section 1 (and section 7's own measurements for the background
functions), as DynamoDB Local reports them — it applies AWS's sizing rules, not its bill — except
that every read request is billed at least 0.5 RRU, AWS's minimum, where DynamoDB Local reports 0
for a Query that finds nothing. Lambda
duration is the handler's fastest in-process time of those runs (the least disturbed by other load
on this shared machine), rounded up to the next millisecond (as
Lambda bills it), at the deployed ${DEPLOYED.lambdaMemoryMb} MB: every 10 ms costs $${fixed((gb * PRICES.lambdaArmGbSecond * 1e6 * 10) / 1000, 3)} per million requests. These
durations are DynamoDB Local's on a shared machine (section 2), so the Lambda column is an order of
magnitude; on AWS a DynamoDB round trip takes a few milliseconds and the handler's CPU time is what
remains. The request units and the API Gateway and Lambda request prices do not depend on the machine.`;
  let day = '';
  if (push && read && aws) {
    const pushes = 10_000;
    const reads = 50_000;
    const pushCost = apiRequest(push).total * pushes;
    const auditCost = background(aws.audit).total * aws.changesPerPush * pushes;
    const readCost = apiRequest(read).total * reads;
    const sweepInvocation = background(aws.idleSweep).total;
    const sweepCost = sweepInvocation * DEPLOYED.sweepsPerDay;
    const logs = (DEPLOYED.sweepLogBytes * DEPLOYED.sweepsPerDay * PRICES.cloudWatchLogsIngestGb) / 1e9;
    const alarms = (DEPLOYED.alarms.length * PRICES.cloudWatchAlarmMonth * 12) / 365;
    const scheduler = DEPLOYED.sweepsPerDay * PRICES.schedulerInvocation;
    const total = pushCost + auditCost + readCost + sweepCost + logs + alarms;
    const atRest = sweepCost + logs + alarms;
    day = `
### A typical CI day

${table(
  ['what', 'count', 'per million', 'per day'],
  [
    [`\`v2-put-manifest\` by tag, new manifest (${rru(push)} RRU, ${fixed(push.wcu, 1)} WRU, ${Math.ceil(push.ms)} ms)`, pushes.toLocaleString('en-US'), usd(apiRequest(push).total * 1e6), usd(pushCost)],
    [`its audit entries (${fixed(aws.changesPerPush, 1)} change record per push, one audit-stream invocation each)`, (aws.changesPerPush * pushes).toLocaleString('en-US'), usd(background(aws.audit).total * 1e6), usd(auditCost)],
    [`\`v2-get-manifest\` GET by tag (${rru(read)} RRU, ${Math.ceil(read.ms)} ms)`, reads.toLocaleString('en-US'), usd(apiRequest(read).total * 1e6), usd(readCost)],
    [`expiry sweep every minute, nothing due (${rru(aws.idleSweep)} RRU, ${Math.ceil(aws.idleSweep.ms)} ms)`, DEPLOYED.sweepsPerDay.toLocaleString('en-US'), usd(sweepInvocation * 1e6), usd(sweepCost)],
    [`its logs (~${DEPLOYED.sweepLogBytes} bytes per invocation, an estimate)`, DEPLOYED.sweepsPerDay.toLocaleString('en-US'), '', usd(logs)],
    [`${DEPLOYED.alarms.length} CloudWatch alarms (a day's share of $${PRICES.cloudWatchAlarmMonth.toFixed(2)} per alarm-month)`, DEPLOYED.alarms.length, '', usd(alarms)],
    ['**total**', '', '', `**${usd(total)}** (≈ ${usd(total * 30)} a month)`],
  ],
)}

The pushes cost ${fixed((100 * (pushCost + auditCost)) / total, 0)}% of the day (API Gateway, a Lambda invocation and the write
units of a transaction each, then one audit-stream invocation and its write), the reads
${fixed((100 * readCost) / total, 0)}%, and what runs whatever the traffic ${fixed((100 * atRest) / total, 0)}%. The sweep's schedule itself
(${DEPLOYED.sweepsPerDay.toLocaleString('en-US')} invocations a day, ${(DEPLOYED.sweepsPerDay * 30).toLocaleString('en-US')} a month) stays inside EventBridge Scheduler's free
${(PRICES.schedulerFreeInvocationsMonth / 1e6).toFixed(0)} million; without that allowance it would add ${usd(scheduler)} a day.

### The stack at rest

With no traffic at all the stack costs about **${usd(atRest * 30)} a month** plus storage: the ${DEPLOYED.alarms.length}
alarms (${DEPLOYED.alarms.join(', ')}) at ${usd(DEPLOYED.alarms.length * PRICES.cloudWatchAlarmMonth)} a month, and the
every-minute sweep (${usd(sweepCost * 30)} a month of Lambda and read units, ${usd(logs * 30)} of logs). What costs nothing at rest:
the HTTP API and the API functions (billed per request), the stream (Lambda's event source mapping
reads DynamoDB Streams free of charge, and its event filter drops non-change records before any
invocation), the dead-letter queues (no requests while empty; their alarm reads a free SQS metric),
the SNS topic (no publishes), and encryption (AWS-owned table keys and SSE-SQS: no KMS key or
request). Storage grows with the data: $${PRICES.dynamoStorageGbMonth.toFixed(2)} per GB-month beyond the free 25 GB, plus
$${PRICES.dynamoPitrGbMonth.toFixed(2)} per GB-month for point-in-time recovery, which both tables have.
`;
  }
  return `${title}

${prices}

${method}

### Per million requests of each endpoint

${table(['endpoint', 'variant', 'RRU', 'WRU', 'billed ms', 'API Gateway', 'Lambda', 'DynamoDB', 'total per million'], endpointRows)}

A mutation that records an audit entry (tag changes, pushes, and repository, permission and
namespace changes: those that write a change item, \`shared/store/changes.ts\`) also pays the \`audit-stream\` line once per change record.
${day}`;
}
