/**
 * Configuration from the environment, read once. Lambda gets these from the CDK stack; the local
 * runtime and the tests set them before importing handlers.
 */
export interface Config {
  registryTable: string;
  auditTable: string;
  /** DynamoDB endpoint override (DynamoDB Local); undefined on AWS. */
  dynamoEndpoint: string | undefined;
  region: string;
  /** True inside the local runtime and the tests: enables the HS256 development secret. */
  isLocal: boolean;
  jwtSecret: string | undefined;
  jwksUrl: string | undefined;
  jwtIssuer: string | undefined;
  jwtAudience: string | undefined;
  superusers: ReadonlySet<string>;
  /** Days an audit entry is kept (TTL on the audit table). */
  auditRetentionDays: number;
}

function list(value: string | undefined): Set<string> {
  return new Set((value ?? '').split(',').map((item) => item.trim()).filter(Boolean));
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const isLocal = env.TAG_SERVICE_LOCAL === '1';
  return {
    registryTable: env.REGISTRY_TABLE ?? 'registry',
    auditTable: env.AUDIT_TABLE ?? 'audit',
    dynamoEndpoint: env.DDB_ENDPOINT || undefined,
    region: env.AWS_REGION ?? 'us-east-1',
    isLocal,
    jwtSecret: isLocal ? (env.AUTH_JWT_SECRET ?? 'local-dev-secret') : env.AUTH_JWT_SECRET,
    jwksUrl: env.AUTH_JWKS_URL || undefined,
    jwtIssuer: env.AUTH_ISSUER || undefined,
    jwtAudience: env.AUTH_AUDIENCE || undefined,
    superusers: list(env.SUPERUSERS),
    auditRetentionDays: Number(env.AUDIT_RETENTION_DAYS ?? 365),
  };
}

let cached: Config | undefined;
let generation = 0;

/** The configuration of this process (read on first use, so tests can set the environment first). */
export function config(): Config {
  cached ??= readConfig();
  return cached;
}

/**
 * Forget the cached configuration (the local runtime and tests that change the environment).
 * Everything built from it (the DynamoDB client, the token verifier) is rebuilt on next use.
 */
export function resetConfig(): void {
  cached = undefined;
  generation += 1;
}

/** Changes whenever resetConfig runs: lets caches derived from the configuration notice. */
export function configGeneration(): number {
  return generation;
}
