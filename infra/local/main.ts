/**
 * `npm start`: the whole service on this machine. Flags and environment:
 *   --in-memory            DynamoDB Local without files (default: data kept under .local/)
 *   PORT                   HTTP port (default 8080; 0 = any free port)
 *   HOST                   bind address (default 127.0.0.1)
 *   DDB_ENDPOINT           use an already-running DynamoDB instead of starting DynamoDB Local
 *   LOCAL_TEST_HOOKS=1     serve POST /_local/clock, /_local/sweep, /_local/audit/flush
 *   SWEEP_INTERVAL_MS      sweep timer period (default 60000; 0 = off)
 */
import { readFileSync } from 'node:fs';
import { startLocalServer, type LocalServer } from './server.js';

// The SDK's notice that its 2027 releases need Node 22 is known (see docs); keep the console clean.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

function usage(): string {
  return 'usage: npm start [-- --in-memory]   (env: PORT, HOST, DDB_ENDPOINT, LOCAL_TEST_HOOKS=1, SWEEP_INTERVAL_MS)';
}

function parentOf(pid: number): number | undefined {
  try {
    // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may contain spaces and parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

/**
 * The processes that launched us, up to npm when run by `npm start` (tsx, the `sh -c` of npm,
 * npm). npm forwards SIGINT/SIGTERM only to its `sh -c` child, which does not pass them on; if
 * one of these processes goes away we are orphaned and shut down ourselves, so Java never outlives
 * `npm start`. Linux only (elsewhere: just the parent).
 */
function launchChain(): number[] {
  const chain: number[] = [];
  let pid: number | undefined = process.ppid;
  for (let depth = 0; depth < 4 && pid !== undefined && pid > 1; depth += 1) {
    chain.push(pid);
    if (!process.env.npm_lifecycle_event) break;
    if (/(^|\/)npm(-cli\.js)?( |$)/.test(commandLine(pid))) break;
    pid = parentOf(pid);
  }
  return chain;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  for (const arg of args) {
    if (arg === '--help' || arg === '-h') {
      console.log(usage());
      return;
    }
    if (arg !== '--in-memory') {
      console.error(`unknown argument ${arg}\n${usage()}`);
      process.exitCode = 2;
      return;
    }
  }
  const inMemory = args.includes('--in-memory');
  const port = process.env.PORT === undefined || process.env.PORT === '' ? 8080 : Number(process.env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`PORT must be a port number, got ${process.env.PORT}`);
    process.exitCode = 2;
    return;
  }
  const sweepIntervalMs = process.env.SWEEP_INTERVAL_MS ? Number(process.env.SWEEP_INTERVAL_MS) : 60_000;
  const testHooks = process.env.LOCAL_TEST_HOOKS === '1';
  const externalEndpoint = process.env.DDB_ENDPOINT || undefined;
  const started = Date.now();

  let server: LocalServer | undefined;
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) {
      // Second Ctrl-C: leave now; the exit hook of dynamodb-local still stops Java.
      process.exit(130);
    }
    stopping = true;
    console.log(`\n${signal}: stopping...`);
    const done = server ? server.stop() : Promise.resolve();
    done.then(
      () => process.exit(0),
      (error) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGHUP', () => shutdown('SIGHUP'));
  const chain = launchChain();
  setInterval(() => {
    if (!stopping && chain.some((pid) => !alive(pid))) shutdown('launcher exited');
  }, 1000).unref();

  try {
    server = await startLocalServer({
      port,
      host: process.env.HOST || '127.0.0.1',
      dynamoEndpoint: externalEndpoint,
      inMemory,
      testHooks,
      sweepIntervalMs: Number.isFinite(sweepIntervalMs) && sweepIntervalMs >= 0 ? sweepIntervalMs : 60_000,
    });
  } catch (error) {
    console.error(`could not start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
  if (stopping) return;

  const storage = externalEndpoint ? 'external, from DDB_ENDPOINT' : inMemory ? 'DynamoDB Local, in memory' : 'DynamoDB Local, data in .local/dynamodb';
  console.log(
    [
      `tag service listening on ${server.url}  (ready in ${((Date.now() - started) / 1000).toFixed(1)} s)`,
      `  health:      ${server.url}/health/instance`,
      `  DynamoDB:    ${server.dynamoEndpoint} (${storage}); tables ${server.registryTable}, ${server.auditTable}`,
      `  audit:       ${server.streamPolling ? 'stream poller running' : 'stream poller off'}; sweep every ${sweepIntervalMs > 0 ? `${sweepIntervalMs / 1000} s` : 'never'}`,
      `  test hooks:  ${testHooks ? 'on (POST /_local/clock, /_local/sweep, /_local/audit/flush)' : 'off (LOCAL_TEST_HOOKS=1 to enable)'}`,
      `  token:       npm run token -- <username> [--scope "repo:read repo:write"] [--ttl seconds]`,
      `  e.g.         curl -H "Authorization: Bearer $(npm run -s token -- alice)" ${server.url}/api/v1/repository/alice/app/tag/`,
      'Ctrl-C stops everything.',
    ].join('\n'),
  );
}

await main();
