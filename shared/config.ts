/**
 * Configuration from the environment. Lambda gets these from the CDK stack; the runtime
 * (shared/deps.ts) reads them once per cold start, and the local runtime reads them when it starts.
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
