/**
 * Atomic multi-tag changes (POST …/tag/): creates, moves and deletes of distinct tags, each with an
 * optional expectation, committed by one transaction or not at all. Every attempt reads the
 * pointers, decides, and writes with each pointer's version (and expectation) as conditions; a
 * racing writer fails the transaction and the retry re-reads (then answers 412 if an expectation
 * no longer holds). One audit change per tag, all carrying the same operation_id.
 */
import type { ChangeRecord, LiveTag, TagRange } from '../store/index.js';
import { WriteConflictError, withConflictRetry } from '../store/index.js';
import type { TagWrite } from '../store/tag-batch.js';
import { notFound, preconditionFailed, tagImmutable } from './errors.js';
import { expectationFailure, storeExpectation } from './preconditions.js';
import type { TagExpectation } from './preconditions.js';
import { reachabilityWitness, tagChange, tagExpiredChange } from './tag-operations.js';
import type { Actor, ReachabilityWitness, TagDeps } from './tag-operations.js';
import { isAlive, nextRangeStart } from './tag-rules.js';

export interface TagChangeRequest {
  tag: string;
  /** The manifest to point the tag at; null deletes the tag. */
  manifestDigest: string | null;
  expect?: TagExpectation;
}

export interface TagChangeResult {
  tag: string;
  manifest_digest: string | null;
  previous_manifest_digest: string | null;
}

export async function applyTagChanges(deps: TagDeps, actor: Actor, requests: TagChangeRequest[], operationId: string): Promise<TagChangeResult[]> {
  return withConflictRetry(async (attempt) => {
    const currents = await Promise.all(requests.map((request) => deps.store.tags.getLiveTag(actor.pk, request.tag)));
    const now = deps.clock.now();
    const aliveAt = (index: number) => {
      const current = currents[index];
      return current !== null && isAlive(current, now) ? current : null;
    };
    refuseImmutable(requests, currents);
    const failures = requests.flatMap((request, index) =>
      request.expect ? [expectationFailure(request.tag, currents[index], now, request.expect)].filter((failure) => failure !== null) : [],
    );
    if (failures.length > 0) throw preconditionFailed(`Precondition failed: ${failures.join('; ')}`);
    if (requests.some((request, index) => request.manifestDigest === null && !aliveAt(index))) throw notFound();
    const witnesses = await witnessesOf(deps, actor, requests, attempt === 1);
    const writes: TagWrite[] = requests.map((request, index) => {
      const current = currents[index];
      const base = { actor, current, alive: aliveAt(index), now, operationId, expect: request.expect };
      return request.manifestDigest === null
        ? deleteWrite(base as typeof base & { current: LiveTag })
        : retargetWrite(base, request.tag, request.manifestDigest, witnesses.get(request.manifestDigest) as ReachabilityWitness);
    });
    for (const write of writes) checkBatchWitness(write, requests, currents, now);
    await deps.store.tags.applyTagWrites(writes);
    return requests.map((request, index) => ({
      tag: request.tag,
      manifest_digest: request.manifestDigest,
      previous_manifest_digest: aliveAt(index)?.manifestDigest ?? null,
    }));
  });
}

/** An immutable tag refuses any change (the pointer's `immutable` attribute), as a single write would. */
function refuseImmutable(requests: TagChangeRequest[], currents: (LiveTag | null)[]) {
  const immutable = requests.filter((_request, index) => currents[index]?.immutable === true).map((request) => request.tag);
  if (immutable.length > 0) throw tagImmutable(immutable);
}

/** One reachability witness per target manifest (PUT's rule: reachable from an alive tag before the batch). */
async function witnessesOf(deps: TagDeps, actor: Actor, requests: TagChangeRequest[], fromIndex: boolean) {
  const witnesses = new Map<string, ReachabilityWitness>();
  for (const digest of new Set(requests.flatMap((request) => (request.manifestDigest ? [request.manifestDigest] : [])))) {
    const witness = await reachabilityWitness(deps, actor.pk, digest, fromIndex);
    if (!witness) throw notFound();
    witnesses.set(digest, witness);
  }
  return witnesses;
}

/** A witness that is a tag of the batch is vouched for by what was read of it (its version is a condition). */
function checkBatchWitness(write: TagWrite, requests: TagChangeRequest[], currents: (LiveTag | null)[], now: number) {
  if (write.kind !== 'retarget' || !write.write.witness) return;
  const index = requests.findIndex((request) => request.tag === write.write.witness?.tag);
  if (index < 0) return;
  const current = currents[index];
  if (!current || !isAlive(current, now) || current.manifestDigest !== write.write.witness.digest) {
    throw new WriteConflictError('the witness tag moved');
  }
}

interface WriteBase {
  actor: Actor;
  current: LiveTag | null;
  alive: LiveTag | null;
  now: number;
  operationId: string;
  expect?: TagExpectation;
}

function retargetWrite(base: WriteBase, tag: string, digest: string, witness: ReachabilityWitness): TagWrite {
  const { actor, current, alive, now } = base;
  const previous = !current ? 'none' : alive ? 'open' : current.endedBy ? 'closed' : 'expired';
  const range: TagRange = { name: tag, manifestDigest: digest, start: nextRangeStart(now, current), reversion: false };
  const changes: ChangeRecord[] = [
    tagChange(actor, alive ? 'move_tag' : 'create_tag', range.start, {
      username: actor.performer?.username ?? null,
      repo: actor.repository,
      tag,
      namespace: actor.namespace,
      image: null,
      manifest_digest: digest,
      original_manifest_digest: alive?.manifestDigest ?? null,
      operation_id: base.operationId,
    }),
  ];
  if (previous === 'expired') changes.push(tagExpiredChange(actor, current as LiveTag, now));
  return {
    kind: 'retarget',
    write: {
      pk: actor.pk,
      current,
      previous,
      range,
      windowS: actor.windowS,
      manifest: { kind: 'stored' },
      witness: { ...witness, nowMs: now },
      ...storeExpectation(base.expect, now),
      changes,
    },
  };
}

function deleteWrite(base: WriteBase & { current: LiveTag }): TagWrite {
  const { actor, current } = base;
  const nowMs = Math.max(base.now, current.start);
  const change = tagChange(actor, 'delete_tag', nowMs, {
    username: actor.performer?.username ?? null,
    repo: actor.repository,
    namespace: actor.namespace,
    tag: current.name,
    operation_id: base.operationId,
  });
  return { kind: 'delete', write: { pk: actor.pk, current, nowMs, windowS: actor.windowS, change, ...(base.expect ? { expect: base.expect } : {}) } };
}
