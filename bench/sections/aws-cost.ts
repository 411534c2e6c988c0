/**
 * 7. What the background functions spend, for the AWS cost table: the expiry sweep when nothing is
 * due (what the every-minute schedule costs with no traffic), and the audit consumer per change
 * record (what each audited mutation adds), with the change records one `/v2` push produces.
 * Round trips and capacity are counted as in section 1; the handlers run in-process.
 */
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { buildContext } from '../../infra/local/lambda-context.js';
import { loadFunction } from '../../infra/local/server.js';
import { startStreamPoller } from '../../infra/local/stream-poller.js';
import type { Bench, Cost } from '../lib/harness.js';
import { expectStatus, resetUsage, snapshot } from '../lib/harness.js';
import { NAMESPACE, createRepository } from '../lib/fixture.js';
import { manifestFor, tinyBlobs } from '../lib/oci-workload.js';
import { median } from '../lib/stats.js';

export interface BackgroundCost {
  runs: number;
  roundTrips: number;
  rcu: number;
  wcu: number;
  /** Fastest in-process handler time of the runs (the least disturbed by other load), ms. */
  ms: number;
  byCommand: Record<string, number>;
}

export interface AwsCostResult {
  /** One sweep with nothing due. */
  idleSweep: BackgroundCost;
  /** One audit-stream invocation carrying one change record (Lambda's batches are that small at CI rates). */
  audit: BackgroundCost;
  /** Stream records, and change records among them (those the event filter passes), per `/v2` push by tag. */
  recordsPerPush: number;
  changesPerPush: number;
}

type Handler = (event: unknown, context: Context) => Promise<unknown>;

async function handlerOf(name: string): Promise<Handler> {
  const handler = await loadFunction<Handler>(name);
  if (!handler) throw new Error(`functions/${name}.ts not found`);
  return handler;
}

/** Runs `call` once per item with capacity asked for, and returns the medians (the fastest time). */
async function measureEach<T>(bench: Bench, items: T[], call: (item: T) => Promise<unknown>): Promise<BackgroundCost> {
  const samples: (Cost & { ms: number })[] = [];
  for (const item of items) {
    bench.askCapacity = true;
    resetUsage();
    const started = performance.now();
    try {
      await call(item);
    } finally {
      bench.askCapacity = false;
    }
    samples.push({ ...snapshot(), ms: performance.now() - started });
  }
  const trips = median(samples.map((sample) => sample.roundTrips));
  return {
    runs: samples.length,
    roundTrips: trips,
    rcu: median(samples.map((sample) => sample.rcu)),
    wcu: median(samples.map((sample) => sample.wcu)),
    ms: Math.min(...samples.map((sample) => sample.ms)),
    byCommand: (samples.find((sample) => sample.roundTrips === trips) ?? samples[0]).byCommand,
  };
}

export async function runAwsCost(bench: Bench, runs: number): Promise<AwsCostResult> {
  const sweep = await handlerOf('expiry-sweep');
  const audit = await handlerOf('audit-stream');
  const sweepEvent = { source: 'aws.events', 'detail-type': 'Scheduled Event' };
  const sweepContext = () => buildContext('expiry-sweep', { timeoutMs: 60_000 });
  // Whatever is due now is drained first: the measured sweeps find nothing to do.
  await sweep(sweepEvent, sweepContext());
  await sweep(sweepEvent, sweepContext());
  const idleSweep = await measureEach(bench, Array.from({ length: runs }), () => sweep(sweepEvent, sweepContext()));

  // The registry stream, read by the local stand-in for Lambda's event source mapping.
  const records: DynamoDBRecord[] = [];
  const poller = startStreamPoller({
    endpoint: bench.endpoint,
    tableName: bench.server.registryTable,
    pollIntervalMs: 50,
    handler: async (event: DynamoDBStreamEvent) => {
      records.push(...event.Records);
      return { batchItemFailures: [] };
    },
  });
  let pushed: DynamoDBRecord[];
  try {
    const token = await bench.token(NAMESPACE);
    const path = await createRepository(bench, token, 'aws-cost');
    if (!(await poller.flush(60_000))) throw new Error('the registry stream was not read to its end');
    const afterCreate = records.length;
    const blobs = tinyBlobs();
    for (let i = 0; i < runs; i++) {
      const response = await bench.inProcess({
        method: 'PUT',
        path: `/v2/${path}/manifests/push-${i}`,
        token,
        body: manifestFor(blobs, `push-${i}`, 'aws-cost'),
        headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
      });
      expectStatus(response, 201, 'push');
    }
    if (!(await poller.flush(60_000))) throw new Error('the registry stream was not read to its end');
    pushed = records.slice(afterCreate);
  } finally {
    await poller.stop();
  }
  // The deployed event source mapping passes only inserted change items (infra/stack.ts filters).
  const isChange = (record: DynamoDBRecord) => record.eventName === 'INSERT' && record.dynamodb?.NewImage?.type?.S === 'change';
  const changes = pushed.filter(isChange);
  if (changes.length === 0) throw new Error('pushes produced no change records on the stream');
  const auditCost = await measureEach(bench, changes, (record) => audit({ Records: [record] }, buildContext('audit-stream', { timeoutMs: 60_000 })));
  return { idleSweep, audit: auditCost, recordsPerPush: pushed.length / runs, changesPerPush: changes.length / runs };
}
