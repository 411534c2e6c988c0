/**
 * The local runtime: DynamoDB Local (or a given endpoint), the tables, the HTTP API emulator over
 * THE route table, the audit stream poller and the sweep timer, wired like the deployed stack.
 * The handlers run unchanged; this module only emulates the wiring.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { backgroundFunctions, gatewayRoutes } from '../routes.js';
import { clock } from '../../shared/clock.js';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Deps } from '../../shared/deps.js';
import { startDynamoDbLocal, type DynamoDbLocal } from './dynamodb-local.js';
import { createGateway, type ApiHandler } from './gateway.js';
import { applyHandlerEnvironment, loadFunction, NotImplementedError } from './handlers.js';
import { createApiServer } from './http-server.js';
import { buildContext } from './lambda-context.js';
import { startStreamPoller, type StreamHandler, type StreamPoller } from './stream-poller.js';
import { ensureTables } from './tables.js';
import { testHookRoutes } from './test-hooks.js';
import { startEventRuntime, type EventRuntime } from './event-runtime.js';

export { FUNCTIONS_DIR, loadFunction, NotImplementedError } from './handlers.js';

export interface LocalServerOptions {
  /** HTTP port; 0 = a random free port. Default 8080. */
  port?: number;
  /** Bind address (default 127.0.0.1; `HOST=0.0.0.0 npm start` serves other machines too). */
  host?: string;
  /** Use this DynamoDB instead of starting DynamoDB Local. */
  dynamoEndpoint?: string;
  /** DynamoDB Local without files (default false: data under .local/). */
  inMemory?: boolean;
  /** Data folder of DynamoDB Local in persistent mode (default .local/dynamodb). */
  dataDir?: string;
  registryTable?: string;
  auditTable?: string;
  /** Serve POST /_local/clock, /_local/sweep and /_local/audit/flush. */
  testHooks?: boolean;
  /** Sweep timer period; default 60 000 (EventBridge's every minute); 0 = off. */
  sweepIntervalMs?: number;
  /** Poll the registry stream into the audit handler; default true. */
  streamPolling?: boolean;
  /** Start-up notices and background warnings; default: stderr. */
  log?: (line: string) => void;
  /** Test mode: index queries do not see items written in the last this many ms (as a lagging GSI on AWS). */
  indexLagMs?: number;
}

export interface LocalServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  dynamoEndpoint: string;
  registryTable: string;
  auditTable: string;
  /** The dependencies (configuration, store, clock) the handlers of this server run with. */
  deps: Deps;
  /** The DynamoDB client under their store (the bench adds its capacity middleware here). */
  client: DynamoDBDocumentClient;
  /** Whether the audit stream poller runs (false when off or when functions/audit-stream.ts is missing). */
  streamPolling: boolean;
  /** Stops the HTTP server, the poller, the timer and (if started here) DynamoDB Local. */
  stop(): Promise<void>;
  /**
   * Resolves true once every stream record written before the call reached the audit handler;
   * false after `timeoutMs` (default 10 000) or when stream polling is off.
   */
  flushAudit(timeoutMs?: number): Promise<boolean>;
  /** Runs one expiry sweep now (after any sweep in progress) and returns its report. */
  runSweep(): Promise<unknown>;
  /** The local event bus and its publisher (undefined when stream polling is off). */
  events: EventRuntime | undefined;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      if (error.code === 'EADDRINUSE') {
        reject(new Error(`port ${port} on ${host} is already in use; set PORT to another port (or 0 for any free port)`));
      } else {
        reject(error);
      }
    };
    const onListening = () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Starts the whole local runtime; resolves once it serves requests. */
/**
 * Handlers loaded once, as a warm Lambda keeps its module: an import() per request goes through
 * the TypeScript loader's hooks each time (about 5 ms on a busy machine, more than a warm GET).
 * A handler file that does not exist yet is looked up again on the next request.
 */
function cachedHandlers(): (name: string) => Promise<ApiHandler | undefined> {
  const loaded = new Map<string, Promise<ApiHandler | undefined>>();
  return (name) => {
    let handler = loaded.get(name);
    if (!handler) {
      handler = loadFunction<ApiHandler>(name);
      loaded.set(name, handler);
      // A missing file or a failed load is not kept: the next request tries again.
      handler.then((found) => found || loaded.delete(name), () => loaded.delete(name));
    }
    return handler;
  };
}

export async function startLocalServer(options: LocalServerOptions = {}): Promise<LocalServer> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const host = options.host ?? '127.0.0.1';
  const registryTable = options.registryTable ?? process.env.REGISTRY_TABLE ?? 'registry';
  const auditTable = options.auditTable ?? process.env.AUDIT_TABLE ?? 'audit';
  const region = 'us-east-1';
  const cleanups: (() => Promise<void> | void)[] = [];
  const cleanUp = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch (error) {
        log(`local server: clean-up failed: ${errorText(error)}`);
      }
    }
  };

  try {
    let dynamo: DynamoDbLocal | undefined;
    let dynamoEndpoint = options.dynamoEndpoint;
    if (!dynamoEndpoint) {
      dynamo = await startDynamoDbLocal({ inMemory: options.inMemory ?? false, dataDir: options.dataDir });
      cleanups.push(() => dynamo?.stop());
      dynamoEndpoint = dynamo.endpoint;
    }

    const runtime = applyHandlerEnvironment({ registryTable, auditTable, dynamoEndpoint, region, indexLagMs: options.indexLagMs });
    cleanups.push(() => runtime.restore());
    const { deps, client } = runtime;

    const tables = await ensureTables(dynamoEndpoint, { registryTable, auditTable });
    for (const table of [tables.registry, tables.audit]) {
      if (table.mismatches.length > 0) {
        log(
          `warning: existing table ${table.name} differs from infra/tables.ts (${table.mismatches.join('; ')}); ` +
            `delete .local/ (or use --in-memory) to recreate it`,
        );
      }
    }

    // Sweeps run one at a time, whether from the timer or from POST /_local/sweep.
    let sweepChain: Promise<unknown> = Promise.resolve();
    const runSweep = (): Promise<unknown> => {
      const run = sweepChain.then(async () => {
        const sweep = await loadFunction<(event?: unknown, context?: unknown) => Promise<unknown>>(backgroundFunctions.expirySweep.handler);
        if (!sweep) throw new NotImplementedError(backgroundFunctions.expirySweep.handler);
        const event = {
          version: '0',
          id: randomUUID(),
          'detail-type': 'Scheduled Event',
          source: 'aws.events',
          account: '000000000000',
          time: new Date(clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
          region,
          resources: [`arn:aws:events:${region}:000000000000:rule/expiry-sweep`],
          detail: {},
        };
        return sweep(event, buildContext(backgroundFunctions.expirySweep.handler, { timeoutMs: 60_000 }));
      });
      sweepChain = run.catch(() => undefined);
      return run;
    };

    // Audit stream poller.
    let poller: StreamPoller | undefined;
    let pollingOffReason = 'stream polling is off';
    if (options.streamPolling ?? true) {
      let auditHandler: StreamHandler | undefined;
      try {
        auditHandler = await loadFunction<StreamHandler>(backgroundFunctions.auditStream.handler);
        if (!auditHandler) pollingOffReason = `stream polling is off: functions/${backgroundFunctions.auditStream.handler}.ts does not exist yet`;
      } catch (error) {
        pollingOffReason = `stream polling is off: functions/${backgroundFunctions.auditStream.handler}.ts failed to load: ${errorText(error)}`;
      }
      if (auditHandler) {
        const handler = auditHandler;
        poller = startStreamPoller({
          endpoint: dynamoEndpoint,
          tableName: registryTable,
          region,
          functionName: backgroundFunctions.auditStream.handler,
          handler: (event, context) => handler(event, context),
        });
        cleanups.push(() => poller?.stop());
      } else {
        log(`warning: ${pollingOffReason}`);
      }
    }
    const flushAudit = async (timeoutMs?: number): Promise<boolean> => (poller ? poller.flush(timeoutMs) : false);

    // Tag events: the publisher's own stream poller and the local bus (docs/events.md).
    let events: EventRuntime | undefined;
    if (poller) {
      events = await startEventRuntime({ endpoint: dynamoEndpoint, tableName: registryTable, region, log });
      cleanups.push(() => events?.stop());
    }

    const localRoutes = options.testHooks ? testHookRoutes({ runSweep, poller, pollingOffReason, log, events }) : [];

    const server = createApiServer(
      createGateway({
        routes: gatewayRoutes,
        loadHandler: cachedHandlers(),
        localRoutes,
        now: () => clock.now(),
      }),
    );
    const port = await listen(server, options.port ?? 8080, host);
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    );

    // The EventBridge schedule.
    const sweepIntervalMs = options.sweepIntervalMs ?? 60_000;
    if (sweepIntervalMs > 0) {
      let reportedMissing = false;
      const timer = setInterval(() => {
        runSweep().catch((error) => {
          if (error instanceof NotImplementedError) {
            if (!reportedMissing) log(`warning: sweep timer: ${error.message}`);
            reportedMissing = true;
            return;
          }
          log(JSON.stringify({ level: 'error', msg: 'scheduled sweep failed', error: String((error as Error)?.stack ?? error) }));
        });
      }, sweepIntervalMs);
      timer.unref();
      cleanups.push(async () => {
        clearInterval(timer);
        await sweepChain;
      });
    }

    let stopping: Promise<void> | undefined;
    return {
      url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
      deps,
      client,
      port,
      dynamoEndpoint,
      registryTable,
      auditTable,
      streamPolling: poller !== undefined,
      stop: () => (stopping ??= cleanUp()),
      flushAudit,
      runSweep,
      events,
    };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}
