/**
 * "A refused request writes nothing", checked two ways after every refused mutating request:
 *  - the stored state itself: every item of the registry table and, once the stream has been
 *    flushed into it, of the audit table (DynamoDB Local's real tables, read with Scan; test code
 *    only, the service never scans). This sees what no API shows, such as index items left behind
 *    by a push whose transaction failed;
 *  - what clients read back through the API for the repository the request named: its tag history,
 *    the /v2 tag list, its manifests and its audit log (after POST /_local/audit/flush).
 */
import { createHash } from 'node:crypto';
import { ScanCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { localDynamoClient } from '../../infra/local/tables.js';
import { send, type RawResponse } from './http.js';
import type { World } from './world.js';

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

async function scanTable(client: DynamoDBClient, table: string): Promise<Set<string>> {
  const items = new Set<string>();
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
    for (const item of page.Items ?? []) items.add(canonical(item));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

export interface Snapshot {
  registry: Set<string>;
  audit: Set<string>;
  /** Read-back through the API: description → canonical body. */
  api: Map<string, string>;
}

export interface StateDiff {
  where: string;
  added: string[];
  removed: string[];
}

function setDiff(where: string, before: Set<string>, after: Set<string>): StateDiff | undefined {
  const added = [...after].filter((item) => !before.has(item));
  const removed = [...before].filter((item) => !after.has(item));
  return added.length || removed.length ? { where, added: added.slice(0, 3), removed: removed.slice(0, 3) } : undefined;
}

const clip = (text: string) => (text.length > 400 ? `${text.slice(0, 400)}…` : text);

export class StateProbe {
  private readonly client: DynamoDBClient;

  constructor(private readonly world: World) {
    this.client = localDynamoClient(world.server.dynamoEndpoint);
  }

  async flush(): Promise<void> {
    const response = await send(this.world.server.url, { method: 'POST', target: '/_local/audit/flush', headers: {} });
    if (response.status !== 200) throw new Error(`audit flush failed: ${response.status} ${response.text}`);
  }

  /**
   * Read-backs by stored state and target. The API reads nothing but these two tables, so identical
   * tables read back identically: a refusal that wrote nothing costs no second read-back, and one
   * that wrote something shows up in the table diff and in a fresh read-back alike.
   */
  private readonly cache = new Map<string, Map<string, string>>();

  /** The whole stored state, plus the API read-back of the repository or namespace the request named. */
  async take(target: { ns?: string; repo?: string; org?: string }): Promise<Snapshot> {
    await this.flush();
    const [registry, audit] = await Promise.all([
      scanTable(this.client, this.world.server.registryTable),
      scanTable(this.client, this.world.server.auditTable),
    ]);
    const key = `${StateProbe.fingerprint({ registry, audit })} ${JSON.stringify(target)}`;
    let api = this.cache.get(key);
    if (!api) {
      api = await this.readBack(target);
      if (this.cache.size > 500) this.cache.clear();
      this.cache.set(key, api);
    }
    return { registry, audit, api };
  }

  private async readBack(target: { ns?: string; repo?: string; org?: string }): Promise<Map<string, string>> {
    const api = new Map<string, string>();
    const read = async (label: string, path: string, token: string | undefined) => {
      const response: RawResponse = await send(this.world.server.url, {
        method: 'GET',
        target: path,
        headers: token ? { authorization: `Bearer ${token}` } : {},
      });
      api.set(label, `${response.status} ${response.text}`);
      return response;
    };
    const reads: Promise<unknown>[] = [];
    const repo = target.ns && target.repo ? this.world.repository(target.ns, target.repo) : undefined;
    if (repo) {
      const base = `/api/v1/repository/${repo.ns}/${repo.name}`;
      reads.push(
        (async () => {
          let cursor: string | undefined;
          for (let page = 1; page <= 20; page++) {
            const response = await read(`tag history page ${page}`, `${base}/tag/?limit=100${cursor ? `&next_page=${cursor}` : ''}`, repo.adminToken);
            cursor = (response.json as { next_page?: string } | undefined)?.next_page;
            if (!cursor) break;
          }
        })(),
        read('v2 tag list', `/v2/${repo.ns}/${repo.name}/tags/list`, repo.adminToken),
        read('permissions', `${base}/permissions/user/`, repo.adminToken),
        read('repository', base, repo.adminToken),
        read('repository logs', `${base}/logs?${this.world.logWindow}`, repo.adminToken),
        ...repo.digests.map((digest) => read(`manifest ${digest}`, `/v2/${repo.ns}/${repo.name}/manifests/${digest}`, repo.adminToken)),
      );
    }
    const namespace = target.org ?? target.ns;
    const owner = namespace ? this.world.namespaceAdmin(namespace) : undefined;
    if (owner && namespace) {
      const logs = this.world.isOrganization(namespace) ? `/api/v1/organization/${namespace}/logs` : '/api/v1/user/logs';
      reads.push(read('namespace logs', `${logs}?${this.world.logWindow}`, owner));
    }
    await Promise.all(reads);
    return api;
  }

  /** What changed between two snapshots (undefined when nothing did). */
  static diff(before: Snapshot, after: Snapshot): StateDiff[] {
    const diffs: StateDiff[] = [];
    const registry = setDiff('registry table', before.registry, after.registry);
    if (registry) diffs.push(registry);
    const audit = setDiff('audit table', before.audit, after.audit);
    if (audit) diffs.push(audit);
    for (const [label, text] of before.api) {
      const now = after.api.get(label);
      if (now !== text) diffs.push({ where: `API read-back: ${label}`, added: [clip(now ?? '(missing)')], removed: [clip(text)] });
    }
    return diffs;
  }

  static fingerprint(snapshot: Pick<Snapshot, 'registry' | 'audit'>): string {
    return createHash('sha256')
      .update([...snapshot.registry].sort().join('\n'))
      .update('\u0000')
      .update([...snapshot.audit].sort().join('\n'))
      .digest('hex');
  }
}
