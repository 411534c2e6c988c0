/**
 * The CDK app (`npx cdk synth|deploy`, see docs/deploy.md). Environment-agnostic: no account or
 * region is looked up at synth time, so `npm run synth` works offline and without credentials; the
 * target account and region come from the credentials `cdk deploy` runs with.
 *
 * Context (all optional): stackName (default "TagService"), apiRateLimit / apiBurstLimit (per-route
 * throttling of the API, requests per second / bucket size). Everything else is a CloudFormation
 * parameter of the stack.
 */
import { App, Tags } from 'aws-cdk-lib';
import { addNagChecks } from './nag.js';
import { TagServiceStack } from './stack.js';

const app = new App();
// cdk-nag's AwsSolutions rules: synthesis fails on any finding not acknowledged in infra/nag.ts.
addNagChecks(app);

function numberContext(key: string): number | undefined {
  const value: unknown = app.node.tryGetContext(key);
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new Error(`context ${key} must be a positive number, got ${String(value)}`);
  return parsed;
}

const rateLimit = numberContext('apiRateLimit');
const burstLimit = numberContext('apiBurstLimit');
const stackName = (app.node.tryGetContext('stackName') as string | undefined) ?? 'TagService';

const stack = new TagServiceStack(app, stackName, {
  description: 'Quay-compatible container-registry tag service (API Gateway HTTP API, Lambda, DynamoDB)',
  throttle: { rateLimit: rateLimit ?? 100, burstLimit: burstLimit ?? 200 },
});
Tags.of(stack).add('service', 'quay-tag-service');
