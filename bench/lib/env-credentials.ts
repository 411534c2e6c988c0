/**
 * A what-if of the cold-start section (not used by the service): the SDK's default credential
 * chain replaced by environment credentials only, which is all Lambda needs. Bundled in place of
 * @aws-sdk/credential-provider-node through esbuild's `alias`.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';

export const defaultProvider = (init?: Parameters<typeof fromEnv>[0]) => fromEnv(init);
