/**
 * The two servers of the peer benchmark, each in its own process on a free loopback port:
 * Debian's Distribution registry (`docker-registry`, filesystem storage in a temporary folder)
 * and this service's local server (`npm start -- --in-memory` run as a child process).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../infra/local/dynamodb-local.js';
import { LoopbackClient, waitUntil } from './http-client.js';

export const DISTRIBUTION_BINARY = '/usr/bin/docker-registry';

export interface RunningPeer {
  url: string;
  /** What runs, for the report (binary and version, or command line). */
  description: string;
  stop(): Promise<void>;
}

/** A loopback port that was free a moment ago (the server binds it right after). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** Sends SIGTERM to the child we started and waits for it to exit (SIGKILL after 10 s). */
function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Keeps the last few KB a child wrote, to explain a failed start. */
function tail(child: ChildProcess): () => string {
  let text = '';
  const keep = (chunk: Buffer) => {
    text = (text + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => text;
}

export function distributionVersion(): string | undefined {
  if (!existsSync(DISTRIBUTION_BINARY)) return undefined;
  const result = spawnSync(DISTRIBUTION_BINARY, ['--version'], { encoding: 'utf8' });
  return (result.stdout || result.stderr || '').trim().split(/\s+/).at(-1) || 'unknown version';
}

/**
 * Distribution with filesystem storage under a fresh temporary folder, no auth, request logging
 * off, listening on 127.0.0.1 only. The folder is removed on stop.
 */
export async function startDistribution(): Promise<RunningPeer> {
  const version = distributionVersion();
  if (!version) throw new Error(`${DISTRIBUTION_BINARY} not found`);
  const dir = await mkdtemp(join(tmpdir(), 'bench-distribution-'));
  const port = await freePort();
  const config = join(dir, 'config.yml');
  await writeFile(
    config,
    [
      'version: 0.1',
      'log:',
      '  level: error',
      '  accesslog:',
      '    disabled: true',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${join(dir, 'data')}`,
      '  cache:',
      '    blobdescriptor: inmemory',
      '  delete:',
      '    enabled: true',
      'http:',
      `  addr: 127.0.0.1:${port}`,
      '',
    ].join('\n'),
  );
  const child = spawn(DISTRIBUTION_BINARY, ['serve', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  const output = tail(child);
  const url = `http://127.0.0.1:${port}`;
  const probe = new LoopbackClient(url);
  try {
    await waitUntil(async () => {
      if (child.exitCode !== null) throw new Error('exited');
      return (await probe.send({ method: 'GET', path: '/v2/' })).status === 200;
    }, 20_000, 'Distribution');
  } catch (error) {
    await stopChild(child);
    await rm(dir, { recursive: true, force: true });
    throw new Error(`${(error as Error).message}: ${output()}`);
  } finally {
    probe.close();
  }
  return {
    url,
    description: `Distribution ${version} (${DISTRIBUTION_BINARY}, filesystem storage in a temporary folder, blob descriptor cache in memory)`,
    async stop() {
      await stopChild(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * This service's local server as `npm start` runs it (infra/local/main.ts through tsx), in its own
 * process. It uses the given DynamoDB (the benchmark's DynamoDB Local, in memory) with its own
 * tables; the sweep timer is off so that a sweep never lands inside a measurement.
 */
export async function startOurServer(dynamoEndpoint: string): Promise<RunningPeer> {
  const tsx = join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx');
  const child = spawn(tsx, ['infra/local/main.ts', '--in-memory'], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      PORT: '0',
      DDB_ENDPOINT: dynamoEndpoint,
      REGISTRY_TABLE: 'peer-registry',
      AUDIT_TABLE: 'peer-audit',
      SWEEP_INTERVAL_MS: '0',
      LOG_LEVEL: 'error',
      LOCAL_TEST_HOOKS: '',
    },
  });
  const output = tail(child);
  let url: string | undefined;
  child.stdout?.on('data', (chunk: Buffer) => {
    url ??= /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(chunk.toString('utf8'))?.[1];
  });
  try {
    await waitUntil(async () => {
      if (child.exitCode !== null) throw new Error('exited');
      return url !== undefined;
    }, 60_000, 'the local server');
  } catch (error) {
    await stopChild(child);
    throw new Error(`${(error as Error).message}: ${output()}`);
  }
  return {
    url: url as string,
    description:
      'this service, `npm start -- --in-memory` in a child process (tsx infra/local/main.ts), on the benchmark’s DynamoDB Local, audit stream poller on, sweep timer off',
    stop: () => stopChild(child),
  };
}
