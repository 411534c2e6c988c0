/**
 * Service metrics in CloudWatch embedded metric format, through Powertools for AWS Lambda's
 * Metrics: handlers count what happened and `publishMetrics()` (the pipeline after each request,
 * the background functions after each run) writes one EMF line, which CloudWatch turns into metrics
 * of the namespace below. POWERTOOLS_METRICS_DISABLED=true (tests) keeps them off stdout.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

export const METRICS_NAMESPACE = 'QuayTagService';

export const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'quay-tag-service' });

export type CounterName =
  /** A write lost its race and was answered with the route's conflict (nothing written). */
  | 'WriteConflicts'
  /** A write that lost a race was retried. */
  | 'WriteRetries'
  /** Sweep work: tags expired, history ranges purged, manifests deleted, due items skipped or read. */
  | 'SweepExpiredTags'
  | 'SweepPurgedRanges'
  | 'SweepDeletedManifests'
  | 'SweepSkippedItems'
  | 'SweepItemsRead'
  /** Webhook notifications: delivered, or given up on / failed (see recordWebhookDelivery). */
  | 'WebhookDeliveries'
  | 'WebhookFailures';

export function countMetric(name: CounterName, value = 1): void {
  if (value > 0) metrics.addMetric(name, MetricUnit.Count, value);
}

/** For the notification sender: one delivery attempt's outcome. */
export function recordWebhookDelivery(delivered: boolean): void {
  countMetric(delivered ? 'WebhookDeliveries' : 'WebhookFailures');
}

/** Committed tag changes by audit kind (create_tag, move_tag, delete_tag, ...), one EMF line per kind. */
export function countTagChanges(byKind: ReadonlyMap<string, number>): void {
  for (const [kind, count] of byKind) {
    if (!kind.includes('tag')) continue;
    const single = metrics.singleMetric();
    single.addDimension('kind', kind);
    single.addMetric('TagChanges', MetricUnit.Count, count);
  }
}

/** Writes the counted metrics (if any) as one EMF line and clears them. */
export function publishMetrics(): void {
  if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
}
