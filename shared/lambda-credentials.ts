/**
 * Stands in for the SDK's default credential chain (@aws-sdk/credential-provider-node) in the
 * deployed bundles, through an esbuild alias (infra/constructs/service-function.ts). Lambda always
 * provides the function role's credentials as environment variables, so the chain's other sources
 * (SSO, STS web identity, profiles, instance metadata) are dead weight there: about 130 KB of
 * bundle and a third of the module initialization time (bench/RESULTS.md). The local runtime and
 * the tests use the real chain.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';

export const defaultProvider = (init?: Parameters<typeof fromEnv>[0]) => fromEnv(init);
