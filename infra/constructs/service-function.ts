/**
 * One Lambda function of the service: a handler file `functions/<handler>.ts` bundled locally by
 * esbuild (ESM, minified, AWS SDK included and tree-shaken, no Docker), Node.js 24 on arm64, its own
 * log group with a retention, and its own role that may only write to that log group. Table and
 * queue grants are added by the caller.
 */
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** The repository root (where package.json, package-lock.json and functions/ are). */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export const RUNTIME = Runtime.NODEJS_24_X;
export const ARCHITECTURE = Architecture.ARM_64;

/**
 * esbuild settings shared by every function. The banner gives bundled CommonJS dependencies a
 * `require` inside the ESM bundle; the alias keeps it from clashing with bundled identifiers.
 */
export const BUNDLING: BundlingOptions = {
  format: OutputFormat.ESM,
  target: 'node24',
  mainFields: ['module', 'main'],
  minify: true,
  sourceMap: false,
  externalModules: [],
  // Lambda hands the role's credentials over in environment variables: bundle only that provider.
  // The SDK loads its event-stream codec only for event-stream operations, which DynamoDB has none
  // of: a stub keeps about 15 KB out of every bundle (shared/no-event-streams.ts).
  esbuildArgs: {
    '--alias': '@aws-sdk/credential-provider-node=./shared/lambda-credentials.ts',
    '--alias:@smithy/core/event-streams': './shared/no-event-streams.ts',
  },
  banner: "import { createRequire as __tagServiceCreateRequire } from 'node:module'; const require = __tagServiceCreateRequire(import.meta.url);",
};

export interface ServiceFunctionProps {
  /** Base name of the handler file in functions/. */
  handler: string;
  description: string;
  environment: Record<string, string>;
  timeout: Duration;
  memorySize?: number;
  reservedConcurrentExecutions?: number;
  logRetention?: RetentionDays;
}

export class ServiceFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    super(scope, id);
    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // Instead of AWSLambdaBasicExecutionRole (logs on every log group): only this function's group.
    this.role = new Role(this, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    this.logGroup.grantWrite(this.role);

    this.fn = new NodejsFunction(this, 'Function', {
      entry: join(PROJECT_ROOT, 'functions', `${props.handler}.ts`),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      runtime: RUNTIME,
      architecture: ARCHITECTURE,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout,
      description: props.description,
      environment: props.environment,
      awsSdkConnectionReuse: false,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      role: this.role,
      logGroup: this.logGroup,
      bundling: BUNDLING,
      // X-Ray active tracing: Lambda records each invocation's segment (init, invocation, overhead)
      // without the X-Ray SDK in the bundle (its capture would cost more than the bundle budget).
      tracing: Tracing.ACTIVE,
    });
  }
}
