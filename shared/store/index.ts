/** The store: every DynamoDB access of the service, grouped by what it stores. */
import * as access from './access.js';
import * as audit from './audit.js';
import * as manifests from './manifests.js';
import * as namespaces from './namespaces.js';
import * as repositories from './repositories.js';
import * as sweep from './sweep.js';
import * as tags from './tags.js';

export const store = { access, audit, manifests, namespaces, repositories, sweep, tags };
export type Store = typeof store;

export { WriteConflictError, withConflictRetry } from './transactions.js';
export * from './records.js';
export { repoPK } from './keys.js';
