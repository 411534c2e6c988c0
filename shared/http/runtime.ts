/**
 * What a handler depends on, built once per cold start: the configuration, the clock, the token
 * authenticator and the store. This module stays free of the AWS SDK (the /v2 probe, the token
 * endpoint and health bundle it); shared/deps.ts adds the store. The local runtime, which runs
 * every handler in one process, provides the dependencies it built instead.
 */
import { clock } from '../clock.js';
import type { Clock } from '../clock.js';
import { readConfig } from '../config.js';
import type { Config } from '../config.js';
import type { Store } from '../store/port.js';
import { createAuthenticator } from './auth.js';
import type { Authenticate } from './auth.js';

export interface Deps {
  config: Config;
  clock: Clock;
  store: Store;
  authenticate: Authenticate;
}

let provided: Deps | undefined;

/**
 * The local runtime hands its handlers the dependencies it built for its tables and endpoint
 * (undefined when it stops: handlers then build their own from the environment, as on Lambda).
 */
export function provideDeps(deps: Deps | undefined): void {
  provided = deps;
}

export function providedDeps(): Deps | undefined {
  return provided;
}

/** A store that is not there: a function built without it fails loudly instead of querying. */
const noStore = new Proxy({} as Store, {
  get() {
    throw new Error('this function is built without the store (use apiHandler from shared/http/api.ts)');
  },
});

let storeFree: Deps | undefined;

/** The dependencies of routes that never touch DynamoDB (health, the /v2 probe and token endpoint). */
export function storeFreeDeps(): Deps {
  if (provided) return provided;
  if (!storeFree) {
    const config = readConfig();
    storeFree = { config, clock, store: noStore, authenticate: createAuthenticator(config) };
  }
  return storeFree;
}
