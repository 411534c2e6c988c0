/**
 * The schema of the service's two DynamoDB tables: table keys, index names and keys, projected and
 * TTL attributes. The store builds every item and query from these names; infra/tables.ts (the CDK
 * stack and the local runtime) creates the tables from the same definitions, so the tables we test
 * against are the tables we deploy. docs/data-model.md explains every key and index.
 */

export type AttributeType = 'S' | 'N' | 'B';

export interface KeyAttribute {
  name: string;
  type: AttributeType;
}

export interface IndexDefinition {
  indexName: string;
  partitionKey: KeyAttribute;
  sortKey: KeyAttribute;
  /** ALL keeps every attribute; a list keeps the keys plus those attributes. */
  projection: 'ALL' | string[];
}

export interface TableDefinition {
  partitionKey: KeyAttribute;
  sortKey: KeyAttribute;
  indexes: IndexDefinition[];
  timeToLiveAttribute: string;
  stream: boolean;
}

/** Attribute names that several modules must agree on. */
export const TTL_ATTRIBUTE = 'expiresAt';

export const REGISTRY_INDEX = {
  /** One tag's history, newest first: tagKey = `<repoPK>#<name>`, startDesc = inverted start. */
  tagHistory: 'tagHistory',
  /** Alive tag pointers of a repository, newest start first. */
  activeTags: 'activeTags',
  /** Alive tag pointers by the manifest they point at (is a manifest reachable from an alive tag?). */
  tagsByManifest: 'tagsByManifest',
  /** History ranges of a repository by end (open ranges last): tags alive at an instant T. */
  rangesByEnd: 'rangesByEnd',
  /** Sparse, write-sharded work queue of the sweep: expiries, purges and manifest GC, by due time. */
  sweepDue: 'sweepDue',
  /** Repositories of a namespace by name (auto-prune: a namespace policy reaches its repositories). */
  namespaceRepos: 'namespaceRepos',
} as const;

export const registryTable: TableDefinition = {
  partitionKey: { name: 'PK', type: 'S' },
  sortKey: { name: 'SK', type: 'S' },
  timeToLiveAttribute: TTL_ATTRIBUTE,
  stream: true,
  indexes: [
    {
      indexName: REGISTRY_INDEX.tagHistory,
      partitionKey: { name: 'tagKey', type: 'S' },
      sortKey: { name: 'startDesc', type: 'S' },
      projection: 'ALL',
    },
    {
      indexName: REGISTRY_INDEX.activeTags,
      // Its own attribute (equal to PK), not PK itself: DynamoDB Local reads the whole base
      // partition for an index keyed on the table's partition key, so with PK the local cost of
      // this query grew with the repository's history (bench/RESULTS.md); AWS is indifferent.
      partitionKey: { name: 'activePK', type: 'S' },
      sortKey: { name: 'activeSK', type: 'S' },
      projection: 'ALL',
    },
    {
      indexName: REGISTRY_INDEX.tagsByManifest,
      partitionKey: { name: 'manifestKey', type: 'S' },
      sortKey: { name: 'SK', type: 'S' },
      projection: ['name', 'end'],
    },
    {
      indexName: REGISTRY_INDEX.rangesByEnd,
      partitionKey: { name: 'endPK', type: 'S' },
      sortKey: { name: 'endSK', type: 'S' },
      projection: 'ALL',
    },
    {
      indexName: REGISTRY_INDEX.sweepDue,
      partitionKey: { name: 'dueShard', type: 'S' },
      sortKey: { name: 'dueAt', type: 'N' },
      projection: ['dueKind', 'end', 'name', 'namespace'],
    },
    {
      indexName: REGISTRY_INDEX.namespaceRepos,
      partitionKey: { name: 'reposOf', type: 'S' },
      sortKey: { name: 'name', type: 'S' },
      projection: ['kind'],
    },
  ],
};

export const AUDIT_INDEX = {
  /** A namespace's entries across its repositories, newest first. */
  byNamespace: 'byNamespace',
} as const;

export const auditTable: TableDefinition = {
  partitionKey: { name: 'PK', type: 'S' },
  sortKey: { name: 'SK', type: 'S' },
  timeToLiveAttribute: TTL_ATTRIBUTE,
  stream: false,
  indexes: [
    {
      indexName: AUDIT_INDEX.byNamespace,
      partitionKey: { name: 'nsKey', type: 'S' },
      sortKey: { name: 'SK', type: 'S' },
      projection: 'ALL',
    },
  ],
};
