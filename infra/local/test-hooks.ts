/**
 * The local-only routes behind LOCAL_TEST_HOOKS=1: move the clock, run a sweep, wait for the audit
 * stream. The gateway answers them itself; no Lambda exists for them.
 */
import { clock } from '../../shared/clock.js';
import type { LocalRoute } from './gateway.js';
import { NotImplementedError } from './handlers.js';
import type { StreamPoller } from './stream-poller.js';
import type { EventRuntime } from './event-runtime.js';

export interface TestHookDeps {
  runSweep(): Promise<unknown>;
  poller: StreamPoller | undefined;
  /** Why the poller is off, when it is. */
  pollingOffReason: string;
  log(line: string): void;
  /** The local event bus and delivery queue (undefined when stream polling is off). */
  events?: EventRuntime;
}

function parseJson(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function testHookRoutes(deps: TestHookDeps): LocalRoute[] {
  return [
    {
      method: 'POST',
      path: '/_local/clock',
      handle: async (body) => {
        const input = parseJson(body) as { advance_s?: unknown } | undefined;
        const seconds = input?.advance_s;
        if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0) {
          return { statusCode: 400, body: { message: 'advance_s must be a positive number of seconds' } };
        }
        clock.advance(seconds);
        return { statusCode: 200, body: { now: clock.now() } };
      },
    },
    {
      method: 'POST',
      path: '/_local/sweep',
      handle: async () => {
        try {
          return { statusCode: 200, body: (await deps.runSweep()) ?? {} };
        } catch (error) {
          if (error instanceof NotImplementedError) return { statusCode: 501, body: { message: error.message } };
          deps.log(JSON.stringify({ level: 'error', msg: 'sweep failed', error: String((error as Error)?.stack ?? error) }));
          return { statusCode: 500, body: { message: `sweep failed: ${errorText(error)}` } };
        }
      },
    },
    {
      method: 'POST',
      path: '/_local/audit/flush',
      handle: async () => {
        if (!deps.poller) return { statusCode: 503, body: { flushed: false, message: deps.pollingOffReason } };
        const flushed = await deps.poller.flush();
        return flushed
          ? { statusCode: 200, body: { flushed: true } }
          : { statusCode: 504, body: { flushed: false, message: 'stream records were not all delivered within 10 s' } };
      },
    },
    {
      method: 'POST',
      path: '/_local/events/flush',
      handle: async () => {
        if (!deps.events) return { statusCode: 503, body: { flushed: false, message: deps.pollingOffReason } };
        const flushed = await deps.events.flush();
        return flushed
          ? { statusCode: 200, body: { flushed: true } }
          : { statusCode: 504, body: { flushed: false, message: 'events were not all published and delivered within 10 s' } };
      },
    },
    {
      method: 'GET',
      path: '/_local/events',
      handle: async () => ({ statusCode: 200, body: { events: deps.events?.events() ?? [] } }),
    },
  ];
}
