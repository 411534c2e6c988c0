/**
 * Store-level tests: tables of the file's own on the run's DynamoDB Local, a clock the test sets to
 * the millisecond, and small helpers that mutate through the real domain functions.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, inject } from 'vitest';
import { dropTables, ensureTables } from '../../infra/local/tables.js';
import { ingestManifest } from '../../shared/domain/ingest.js';
import { parseManifest } from '../../shared/domain/manifest.js';
import { retarget } from '../../shared/domain/tag-operations.js';
import type { Actor, TagDeps } from '../../shared/domain/tag-operations.js';
import { createDynamoClient } from '../../shared/store/client.js';
import { withIndexLag } from '../../shared/store/index-lag.js';
import { createStore, repoPK } from '../../shared/store/index.js';
import { imageManifest } from './manifests.js';
import type { BuiltManifest } from './manifests.js';

/** A clock that says exactly what the test sets. */
export class TestClock {
  constructor(public t: number) {}
  now(): number {
    return this.t;
  }
  set(ms: number): void {
    this.t = ms;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

/**
 * Registers beforeAll/afterAll that give this file its own tables; returns their names, the
 * DynamoDB client and the store bound to them. With `indexLagMs`, the store's index queries do not
 * see items written in the last that many ms (as a lagging GSI on AWS; shared/store/index-lag.ts).
 */
export function useStoreTables(label: string, options: { indexLagMs?: number } = {}) {
  const endpoint = inject('ddbEndpoint');
  const suffix = randomBytes(4).toString('hex');
  const tables = { registryTable: `registry-${label}-${suffix}`, auditTable: `audit-${label}-${suffix}` };
  const client = createDynamoClient({ region: 'us-east-1', endpoint });
  const storeClient = options.indexLagMs ? withIndexLag(client, options.indexLagMs) : client;
  const store = createStore({ client: storeClient, tables: { registry: tables.registryTable, audit: tables.auditTable } });
  beforeAll(async () => {
    await ensureTables(endpoint, tables);
  });
  afterAll(async () => {
    await dropTables(endpoint, tables);
    client.destroy();
  });
  return { ...tables, client, store };
}

let repositoryCounter = 0;

/** An actor on a fresh repository (its own partition) of `namespace`. */
export function newActor(namespace: string, label: string, windowS = 3600): Actor {
  const repository = `${label}-${++repositoryCounter}`;
  return {
    namespace,
    repository,
    pk: repoPK(namespace, repository),
    windowS,
    performer: { username: 'tester', isRobot: false },
    ip: '127.0.0.1',
  };
}

/** Pushes a manifest through the real ingest (by tag, or untagged when `tag` is null). */
export async function pushManifest(deps: TagDeps, actor: Actor, tag: string | null, manifest: BuiltManifest = imageManifest()) {
  const bytes = new TextEncoder().encode(manifest.body);
  await ingestManifest(deps, actor, parseManifest(bytes, manifest.mediaType), bytes, tag);
  return manifest;
}

/** Creates or moves `tag` to a stored manifest, as PUT {manifest_digest} and restore do. */
export function moveTag(deps: TagDeps, actor: Actor, tag: string, digest: string, reversion = false) {
  return retarget(deps, actor, {
    tag,
    manifestDigest: digest,
    reversion,
    changes: (previous, range) => [
      {
        kind: reversion ? 'revert_tag' : previous ? 'move_tag' : 'create_tag',
        namespace: actor.namespace,
        repository: actor.repository,
        performer: actor.performer,
        ip: actor.ip,
        at: range.start,
        metadata: { tag, manifest_digest: digest, original_manifest_digest: previous?.manifestDigest ?? null },
      },
    ],
  });
}

