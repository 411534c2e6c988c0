/** The scheduled sweep (EventBridge, every minute; reserved concurrency 1): see shared/domain/sweep.ts. */
import type { Context } from 'aws-lambda';
import { serviceDeps } from '../shared/deps.js';
import { runSweep } from '../shared/domain/sweep.js';
import type { SweepReport } from '../shared/domain/sweep.js';
import { log, logger } from '../shared/log.js';
import { countMetric, publishMetrics } from '../shared/metrics.js';

/** Leave this much of the Lambda's time for finishing the item in hand and logging. */
const SAFETY_MARGIN_MS = 10_000;
const DEFAULT_BUDGET_MS = 45_000;

export async function handler(_event?: unknown, context?: Context): Promise<SweepReport> {
  if (context) logger.addContext(context);
  const remaining = context?.getRemainingTimeInMillis?.();
  const budgetMs = remaining ? Math.max(1000, remaining - SAFETY_MARGIN_MS) : DEFAULT_BUDGET_MS;
  const report = await runSweep(serviceDeps(), { budgetMs, batchSize: 100 });
  countMetric('SweepExpiredTags', report.expired);
  countMetric('SweepPurgedRanges', report.purged_ranges);
  countMetric('SweepDeletedManifests', report.deleted_manifests);
  countMetric('SweepSkippedItems', report.skipped);
  countMetric('SweepItemsRead', report.items_read);
  publishMetrics();
  log('info', { function: 'expiry-sweep', ...report });
  return report;
}
