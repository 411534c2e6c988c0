/**
 * The store: every DynamoDB access of the service, behind the Store port (port.ts). createStore
 * binds the DynamoDB adapter's operations to one client and one pair of tables; the runtime
 * (shared/deps.ts) builds it once per cold start and hands it to handlers and domain functions.
 */
import * as access from './access.js';
import * as audit from './audit.js';
import * as idempotency from './idempotency.js';
import type { StoreContext } from './context.js';
import * as immutabilityPolicies from './immutability-policies.js';
import * as manifests from './manifests.js';
import * as namespaces from './namespaces.js';
import type { Store } from './port.js';
import * as repositories from './repositories.js';
import * as retention from './retention.js';
import * as notifications from './notifications.js';
import * as sweep from './sweep.js';
import * as tagImmutability from './tag-immutability.js';
import * as tagReads from './tag-reads.js';
import * as rangesByEnd from './ranges-by-end.js';
import * as tagWrites from './tag-writes.js';
import * as tagBatch from './tag-batch.js';

export function createStore(ctx: StoreContext): Store {
  return {
    idempotency: {
      claim: (...args) => idempotency.claimIdempotencyKey(ctx, ...args),
      complete: (...args) => idempotency.completeIdempotencyKey(ctx, ...args),
      release: (...args) => idempotency.releaseIdempotencyKey(ctx, ...args),
    },
    access: { loadRepositoryAccessFacts: (...args) => access.loadRepositoryAccessFacts(ctx, ...args) },
    audit: {
      putAuditEntry: (...args) => audit.putAuditEntry(ctx, ...args),
      queryAudit: (...args) => audit.queryAudit(ctx, ...args),
    },
    manifests: {
      getManifest: (...args) => manifests.getManifest(ctx, ...args),
      getManifests: (...args) => manifests.getManifests(ctx, ...args),
      findManifestsByLegacyImage: (...args) => manifests.findManifestsByLegacyImage(ctx, ...args),
      findParentLists: (...args) => manifests.findParentLists(ctx, ...args),
      putManifestIndexItems: (...args) => manifests.putManifestIndexItems(ctx, ...args),
      deleteManifestIndexItems: (...args) => manifests.deleteManifestIndexItems(ctx, ...args),
      getManifestRefs: (...args) => manifests.getManifestRefs(ctx, ...args),
      storeUntaggedManifest: (...args) => manifests.storeUntaggedManifest(ctx, ...args),
    },
    namespaces: {
      getNamespace: (...args) => namespaces.getNamespace(ctx, ...args),
      createOrganization: (...args) => namespaces.createOrganization(ctx, ...args),
      setTagExpiration: (...args) => namespaces.setTagExpiration(ctx, ...args),
    },
    immutabilityPolicies: {
      putPolicy: (...args) => immutabilityPolicies.putImmutabilityPolicy(ctx, ...args),
      deletePolicy: (...args) => immutabilityPolicies.deleteImmutabilityPolicy(ctx, ...args),
      listNamespaceRepositories: (...args) => immutabilityPolicies.listNamespaceRepositories(ctx, ...args),
      queueApplication: (...args) => immutabilityPolicies.queueApplication(ctx, ...args),
      getApplication: (...args) => immutabilityPolicies.getApplication(ctx, ...args),
      advanceApplication: (...args) => immutabilityPolicies.advanceApplication(ctx, ...args),
      recordChange: (...args) => immutabilityPolicies.recordChange(ctx, ...args),
    },
    notifications: {
      createNotification: (...args) => notifications.createNotification(ctx, ...args),
      listNotifications: (...args) => notifications.listNotifications(ctx, ...args),
      getNotification: (...args) => notifications.getNotification(ctx, ...args),
      deleteNotification: (...args) => notifications.deleteNotification(ctx, ...args),
      resetNotificationFailures: (...args) => notifications.resetNotificationFailures(ctx, ...args),
      recordDelivery: (...args) => notifications.recordDelivery(ctx, ...args),
      listDeliveries: (...args) => notifications.listDeliveries(ctx, ...args),
    },
    repositories: {
      createRepository: (...args) => repositories.createRepository(ctx, ...args),
      setVisibility: (...args) => repositories.setVisibility(ctx, ...args),
      putPermission: (...args) => repositories.putPermission(ctx, ...args),
      deletePermission: (...args) => repositories.deletePermission(ctx, ...args),
      listPermissions: (...args) => repositories.listPermissions(ctx, ...args),
    },
    retention: {
      listPolicies: (...args) => retention.listPolicies(ctx, ...args),
      getPolicy: (...args) => retention.getPolicy(ctx, ...args),
      createPolicy: (...args) => retention.createPolicy(ctx, ...args),
      updatePolicy: (...args) => retention.updatePolicy(ctx, ...args),
      deletePolicy: (...args) => retention.deletePolicy(ctx, ...args),
      getJob: (...args) => retention.getJob(ctx, ...args),
      settleJob: (...args) => retention.settleJob(ctx, ...args),
      listNamespaceRepositories: (...args) => retention.listNamespaceRepositories(ctx, ...args),
      listAlivePointers: (...args) => retention.listAlivePointers(ctx, ...args),
      putRun: (...args) => retention.putRun(ctx, ...args),
      listRuns: (...args) => retention.listRuns(ctx, ...args),
      getRun: (...args) => retention.getRun(ctx, ...args),
    },
    sweep: {
      dueShards: sweep.dueShards,
      queryDue: (...args) => sweep.queryDue(ctx, ...args),
      reschedule: (...args) => sweep.reschedule(ctx, ...args),
      purgeRange: (...args) => sweep.purgeRange(ctx, ...args),
      unqueueManifest: (...args) => sweep.unqueueManifest(ctx, ...args),
      deleteManifest: (...args) => sweep.deleteManifest(ctx, ...args),
    },
    tags: {
      getLiveTag: (...args) => tagReads.getLiveTag(ctx, ...args),
      getRange: (...args) => tagReads.getRange(ctx, ...args),
      queryHistory: (...args) => tagReads.queryHistory(ctx, ...args),
      tagsAliveAt: (...args) => rangesByEnd.tagsAliveAt(ctx, ...args),
      rangesEndingAfter: (pk, afterMs, readBudget) => rangesByEnd.rangesEndingAfter(ctx, pk, afterMs, readBudget),
      aliveTagAt: (...args) => tagReads.aliveTagAt(ctx, ...args),
      indexedAliveTagAt: (...args) => tagReads.indexedAliveTagAt(ctx, ...args),
      listAliveTags: (...args) => tagReads.listAliveTags(ctx, ...args),
      markTagsImmutable: (...args) => immutabilityPolicies.markTagsImmutable(ctx, ...args),
      listAliveTagNames: (...args) => tagReads.listAliveTagNames(ctx, ...args),
      retargetTag: (...args) => tagWrites.retargetTag(ctx, ...args),
      deleteTag: (...args) => tagWrites.deleteTag(ctx, ...args),
      setTagExpiration: (...args) => tagWrites.setTagExpiration(ctx, ...args),
      applyTagWrites: (...args) => tagBatch.applyTagWrites(ctx, ...args),
      setTagImmutability: (...args) => tagImmutability.setTagImmutability(ctx, ...args),
      finalizeExpiredTag: (...args) => tagWrites.finalizeExpiredTag(ctx, ...args),
    },
  };
}

export type { Store } from './port.js';
export type { StoreContext, StoreTables } from './context.js';
export { InvalidPositionError, WriteConflictError, withConflictRetry } from './errors.js';
export * from './records.js';
export { repoPK } from './keys.js';
export type { AutopruneRun, PrunedEntry, RetentionScope } from './retention.js';
export type { PendingApplication, PolicyOwner } from './immutability-policies.js';
