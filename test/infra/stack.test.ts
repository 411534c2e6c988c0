/**
 * The CDK stack, asserted on its synthesized template (bundling skipped through the context
 * `aws:cdk:bundling-stacks: []`, so no esbuild run and no Docker).
 */
import { App, Token } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import type { CfnQueue } from 'aws-cdk-lib/aws-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { READ_ACTIONS } from '../../infra/constructs/table-access.js';
import { routeKeyOf, routeKeyPath } from '../../infra/constructs/service-api.js';
import { apiHandlers, backgroundFunctions, fallbackRoutes, gatewayRoutes, routes } from '../../infra/routes.js';
import { accessOfHandler, LOCAL_ONLY_ENVIRONMENT, TagServiceStack } from '../../infra/stack.js';

const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] };

type Resource = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string; UpdateReplacePolicy?: string };

let stack: TagServiceStack;
let template: Template;
let resources: Record<string, Resource>;

// Synthesizing every function's resources takes tens of seconds on a loaded machine.
beforeAll(() => {
  stack = new TagServiceStack(new App({ context: NO_BUNDLING }), 'TagService');
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources as Record<string, Resource>;
  // Synthesis takes minutes on a loaded machine.
}, 300_000);

const ofType = (type: string) => Object.entries(resources).filter(([, resource]) => resource.Type === type);
const logicalId = (construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as CfnFunction);
const functionId = (handler: string) => {
  const fn = stack.functions.get(handler);
  if (!fn) throw new Error(`no function for ${handler}`);
  return logicalId(fn.fn);
};
const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);

type Statement = { Action?: string | string[]; NotAction?: unknown; Resource?: unknown };

/** Every policy statement of a function's role (inline role policies and attached AWS::IAM::Policy). */
function statementsOfFunction(handler: string): Statement[] {
  const roleId = resources[functionId(handler)].Properties.Role['Fn::GetAtt'][0] as string;
  const documents = [
    ...(resources[roleId].Properties.Policies ?? []).map((policy: { PolicyDocument: unknown }) => policy.PolicyDocument),
    ...ofType('AWS::IAM::Policy')
      .filter(([, policy]) => (policy.Properties.Roles as unknown[]).some((role) => JSON.stringify(role) === JSON.stringify({ Ref: roleId })))
      .map(([, policy]) => policy.Properties.PolicyDocument),
  ] as { Statement: Statement[] }[];
  return documents.flatMap((document) => document.Statement);
}

function actionsOfFunction(handler: string): string[] {
  return statementsOfFunction(handler).flatMap((statement) => asList(statement.Action) as string[]);
}

describe('functions', () => {
  it('makes one function per distinct route handler plus the background functions', () => {
    const expected = [...apiHandlers(), ...Object.values(backgroundFunctions).map((fn) => fn.handler)];
    expect([...stack.functions.keys()].sort()).toEqual([...expected].sort());
    template.resourceCountIs('AWS::Lambda::Function', expected.length);
    // HEAD and GET of a manifest share one function.
    expect(routes.filter((route) => route.handler === 'v2-get-manifest').map((route) => route.method).sort()).toEqual(['GET', 'HEAD']);
  });

  it('runs every function on Node.js 24, arm64, with its own log group', () => {
    const functions = ofType('AWS::Lambda::Function');
    expect(functions.length).toBeGreaterThan(0);
    for (const [, fn] of functions) {
      expect(fn.Properties.Runtime).toBe('nodejs24.x');
      expect(fn.Properties.Architectures).toEqual(['arm64']);
      expect(fn.Properties.Handler).toBe('index.handler');
      expect(fn.Properties.LoggingConfig?.LogGroup).toBeDefined();
    }
    for (const [, group] of ofType('AWS::Logs::LogGroup')) expect(group.Properties.RetentionInDays).toBe(30);
  });

  it('gives every function the deployed configuration and nothing local-only', () => {
    // The event functions also learn where events go (docs/events.md).
    const eventVariables = new Set(['EVENT_BUS_NAME', 'DELIVERY_QUEUE_URL']);
    for (const [, fn] of ofType('AWS::Lambda::Function')) {
      const variables = fn.Properties.Environment.Variables as Record<string, unknown>;
      expect(Object.keys(variables).filter((name) => !eventVariables.has(name)).sort()).toEqual(
        ['AUDIT_RETENTION_DAYS', 'AUDIT_TABLE', 'AUTH_AUDIENCE', 'AUTH_ISSUER', 'AUTH_JWKS_URL', 'LOG_LEVEL', 'REGISTRY_TABLE', 'SUPERUSERS'].sort(),
      );
      for (const name of LOCAL_ONLY_ENVIRONMENT) expect(variables).not.toHaveProperty(name);
      expect(variables.AUTH_JWKS_URL).toEqual({ Ref: 'AuthJwksUrl' });
      expect(variables.SUPERUSERS).toEqual({ Ref: 'Superusers' });
    }
  });
});

describe('HTTP API', () => {
  it('has every route key of infra/routes.ts, trailing slashes dropped, and no key ending in "/"', () => {
    const keys = ofType('AWS::ApiGatewayV2::Route').map(([, route]) => route.Properties.RouteKey as string);
    expect(keys.sort()).toEqual(gatewayRoutes.map(routeKeyOf).sort());
    for (const route of routes) expect(keys).toContain(routeKeyOf(route));
    expect(keys).toContain('GET /api/v1/repository/{ns}/{repo}/tag');
    expect(keys).toContain('GET /v2');
    expect(keys).toContain('HEAD /v2/{ns}/{repo}/manifests/{reference}');
    expect(keys.filter((key) => key.endsWith('/'))).toEqual([]);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('gives every trailing-slash route both spellings: its key without the slash and a {proxy+} fallback', () => {
    const keys = new Map(
      ofType('AWS::ApiGatewayV2::Route').map(([, route]) => [route.Properties.RouteKey as string, route.Properties.Target['Fn::Join'][1][1].Ref as string]),
    );
    const integrationFunction = (integrationId: string) => resources[integrationId]!.Properties.IntegrationUri['Fn::GetAtt'][0];
    const slashRoutes = routes.filter((route) => route.path.length > 1 && route.path.endsWith('/'));
    expect(slashRoutes.map((route) => `${route.method} ${route.path}`).sort()).toEqual(
      [
        'GET /api/v1/repository/{ns}/{repo}/tag/',
        'POST /api/v1/repository/{ns}/{repo}/tag/',
        'GET /api/v1/repository/{ns}/{repo}/permissions/user/',
        'POST /api/v1/repository/{ns}/{repo}/notification/',
        'GET /api/v1/repository/{ns}/{repo}/notification/',
        'POST /api/v1/organization/',
        'PUT /api/v1/user/',
        'GET /v2/',
        'GET /api/v1/organization/{org}/autoprunepolicy/',
        'POST /api/v1/organization/{org}/autoprunepolicy/',
        'GET /api/v1/user/autoprunepolicy/',
        'POST /api/v1/user/autoprunepolicy/',
        'GET /api/v1/repository/{ns}/{repo}/autoprunepolicy/',
        'POST /api/v1/repository/{ns}/{repo}/autoprunepolicy/',
        'GET /api/v1/organization/{org}/immutabilitypolicy/',
        'POST /api/v1/organization/{org}/immutabilitypolicy/',
        'GET /api/v1/repository/{ns}/{repo}/immutabilitypolicy/',
        'POST /api/v1/repository/{ns}/{repo}/immutabilitypolicy/',
      ].sort(),
    );
    for (const route of slashRoutes) {
      const slashless = keys.get(`${route.method} ${route.path.slice(0, -1)}`);
      expect(slashless, route.path).toBeDefined();
      expect(integrationFunction(slashless!)).toBe(functionId(route.handler));
      // The fallback catches `<path>/` and `<path>/anything` whatever API Gateway does with the slash.
      const fallbackKey = route.path === '/v2/' ? 'ANY /v2/{proxy+}' : `${route.method} ${route.path}{proxy+}`;
      const fallback = keys.get(fallbackKey);
      expect(fallback, fallbackKey).toBeDefined();
      const fallbackHandler = route.path === '/v2/' ? 'v2-fallback' : `${route.handler}-slash`;
      expect(integrationFunction(fallback!)).toBe(functionId(fallbackHandler));
      // same table access as the route it completes, no more
      expect(accessOfHandler(fallbackHandler), fallbackHandler).toEqual(route.path === '/v2/' ? {} : accessOfHandler(route.handler));
    }
    expect(fallbackRoutes).toHaveLength(slashRoutes.length);
  });

  it('maps a path to its route key without a trailing slash', () => {
    expect(routeKeyPath('/api/v1/repository/{ns}/{repo}/tag/')).toBe('/api/v1/repository/{ns}/{repo}/tag');
    expect(routeKeyPath('/v2/')).toBe('/v2');
    expect(routeKeyPath('/health/instance')).toBe('/health/instance');
    expect(routeKeyPath('/')).toBe('/');
  });

  it('sends each route to its handler’s function with payload 2.0', () => {
    const integrations = new Map(ofType('AWS::ApiGatewayV2::Integration'));
    expect(integrations.size).toBe(apiHandlers().length);
    for (const [, integration] of integrations) {
      expect(integration.Properties).toMatchObject({ IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0' });
    }
    for (const [, route] of ofType('AWS::ApiGatewayV2::Route')) {
      const definition = gatewayRoutes.find((entry) => routeKeyOf(entry) === route.Properties.RouteKey);
      const integrationId = (route.Properties.Target['Fn::Join'][1] as unknown[])[1] as { Ref: string };
      const integration = integrations.get(integrationId.Ref);
      expect(integration?.Properties.IntegrationUri).toEqual({ 'Fn::GetAtt': [functionId(definition!.handler), 'Arn'] });
    }
  });

  it('throttles routes on the $default stage and writes access logs', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 },
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
    });
  });

  it('outputs the API URL', () => {
    template.hasOutput('ApiUrl', { Value: Match.anyValue() });
  });
});

describe('IAM', () => {
  it('has no wildcard in any action of any policy statement', () => {
    const documents = [
      ...ofType('AWS::IAM::Policy').map(([, policy]) => policy.Properties.PolicyDocument),
      ...ofType('AWS::IAM::Role').flatMap(([, role]) => (role.Properties.Policies ?? []).map((policy: { PolicyDocument: unknown }) => policy.PolicyDocument)),
    ] as { Statement: { Action?: string | string[]; NotAction?: unknown }[] }[];
    const statements = documents.flatMap((document) => document.Statement);
    expect(statements.length).toBeGreaterThan(40);
    for (const statement of statements) {
      expect(statement.NotAction).toBeUndefined();
      for (const action of asList(statement.Action) as string[]) expect(action).not.toContain('*');
    }
  });

  it('attaches no managed policy to function roles (log writes are granted on the function’s own log group)', () => {
    for (const [, role] of ofType('AWS::IAM::Role')) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });

  it('gives read-only handlers read actions only, and handlers without tables no DynamoDB at all', () => {
    // Written out here rather than imported, so the test does not trust the lists it checks.
    const allowedReads = new Set(['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:DescribeTable']);
    const writeLike = /^dynamodb:(Put|Update|Delete|BatchWrite|ConditionCheck|TransactWrite|PartiQL(Insert|Update|Delete))/;
    let readOnly = 0;
    for (const handler of apiHandlers()) {
      const access = accessOfHandler(handler);
      const actions = actionsOfFunction(handler);
      const dynamo = actions.filter((action) => action.startsWith('dynamodb:'));
      if (!access.registry && !access.audit) expect(dynamo, handler).toEqual([]);
      else if (access.registry !== 'readwrite') {
        readOnly++;
        expect(dynamo.filter((action) => !allowedReads.has(action)), handler).toEqual([]);
      } else {
        expect(dynamo, handler).toEqual(expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:ConditionCheckItem']));
      }
      if (access.registry !== 'readwrite') expect(dynamo.filter((action) => writeLike.test(action)), handler).toEqual([]);
      // Nothing but logs and DynamoDB behind the API (the notification test also queues a delivery).
      // X-Ray: active tracing on every function.
      const allowed = handler === 'test-notification' ? /^(logs|dynamodb|sqs|xray):/ : /^(logs|dynamodb|xray):/;
      expect(actions.every((action) => allowed.test(action)), handler).toBe(true);
    }
    expect(readOnly).toBeGreaterThanOrEqual(8);
    expect(accessOfHandler('list-tags')).toEqual({ registry: 'read' });
    expect(accessOfHandler('v2-get-manifest')).toEqual({ registry: 'read' });
    expect(accessOfHandler('repository-logs')).toEqual({ registry: 'read', audit: 'read' });
    expect(accessOfHandler('change-tag')).toEqual({ registry: 'readwrite' });
  });

  it('grants table actions on the table and Query only on its named indexes', () => {
    const registryArn = { 'Fn::GetAtt': [logicalId(stack.registry.table), 'Arn'] };
    const statements = ofType('AWS::IAM::Policy').flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[]);
    for (const statement of statements) {
      const resourcesOf = asList(statement.Resource);
      const onIndexes = resourcesOf.some((resource) => JSON.stringify(resource).includes('/index/'));
      if (onIndexes) {
        expect(asList(statement.Action)).toEqual(['dynamodb:Query']);
        expect(JSON.stringify(statement.Resource)).not.toContain('/index/*');
      }
    }
    expect(statements.some((statement) => JSON.stringify(statement.Resource) === JSON.stringify(registryArn))).toBe(true);
  });
});

describe('audit stream', () => {
  it('maps the registry stream to the audit consumer with partial failures and a DLQ', () => {
    const registryId = logicalId(stack.registry.table);
    const auditMappings = ofType('AWS::Lambda::EventSourceMapping').filter(([, mapping]) => mapping.Properties.FunctionName.Ref === functionId('audit-stream'));
    expect(auditMappings).toHaveLength(1);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: functionId('audit-stream') },
      EventSourceArn: { 'Fn::GetAtt': [registryId, 'StreamArn'] },
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 100,
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 5,
      MaximumRecordAgeInSeconds: 6 * 3600,
      ParallelizationFactor: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [stack.getLogicalId(stack.auditDeadLetters.node.defaultChild as CfnQueue), 'Arn'] } } },
      FilterCriteria: {
        Filters: [{ Pattern: JSON.stringify({ eventName: ['INSERT'], dynamodb: { NewImage: { type: { S: ['change'] } } } }) }],
      },
    });
  });

  it('lets the audit consumer write the audit table and only read the registry', () => {
    expect(actionsOfFunction('audit-stream')).toEqual(
      expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'sqs:SendMessage']),
    );
    const on = (table: typeof stack.registry) =>
      statementsOfFunction('audit-stream')
        .filter((statement) => JSON.stringify(statement.Resource) === JSON.stringify({ 'Fn::GetAtt': [logicalId(table.table), 'Arn'] }))
        .flatMap((statement) => asList(statement.Action));
    expect(on(stack.registry)).toEqual([...READ_ACTIONS]);
    expect(on(stack.audit)).toContain('dynamodb:PutItem');
  });
});

describe('expiry sweep', () => {
  it('runs every minute through EventBridge Scheduler with retries and a DLQ', () => {
    template.resourceCountIs('AWS::Scheduler::Schedule', 1);
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: { 'Fn::GetAtt': [functionId('expiry-sweep'), 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 120 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [stack.getLogicalId(stack.sweepDeadLetters.node.defaultChild as CfnQueue), 'Arn'] } },
      },
    });
  });

  it('runs one sweep at a time for at most 60 s, without Lambda retries piling up', () => {
    const sweep = resources[functionId('expiry-sweep')].Properties;
    expect(sweep.ReservedConcurrentExecutions).toBe(1);
    expect(sweep.Timeout).toBe(60);
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: functionId('expiry-sweep') },
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 120,
    });
    // Only the sweep is limited.
    const limited = ofType('AWS::Lambda::Function').filter(([, fn]) => fn.Properties.ReservedConcurrentExecutions !== undefined);
    expect(limited.map(([id]) => id)).toEqual([functionId('expiry-sweep')]);
  });
});

describe('tables', () => {
  it('keeps both tables: PITR, deletion protection, RETAIN, TTL; the registry streams new and old images', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 2);
    for (const table of [stack.registry, stack.audit]) {
      const resource = resources[logicalId(table.table)];
      expect(resource.DeletionPolicy).toBe('Retain');
      expect(resource.UpdateReplacePolicy).toBe('Retain');
      expect(resource.Properties).toMatchObject({
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        TimeToLiveSpecification: { AttributeName: table.definition.timeToLiveAttribute, Enabled: true },
      });
    }
    expect(resources[logicalId(stack.registry.table)].Properties.StreamSpecification).toEqual({ StreamViewType: 'NEW_AND_OLD_IMAGES' });
    expect(resources[logicalId(stack.audit.table)].Properties.StreamSpecification).toBeUndefined();
  });
});

describe('alarms', () => {
  const alarmOn = (metricName: string, dimensions: unknown) =>
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: metricName,
      Dimensions: dimensions,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [{ Ref: stack.getLogicalId(stack.alarmTopic.node.defaultChild as never) }],
    });

  it('alarms on API 5xx, both DLQs, the audit iterator age and sweep errors', () => {
    // Plus the event alarms (test/infra/events-stack.test.ts).
    expect(ofType('AWS::CloudWatch::Alarm').length).toBeGreaterThanOrEqual(5);
    alarmOn('5xx', [{ Name: 'ApiId', Value: { Ref: logicalId(stack.api.api) } }]);
    for (const queue of [stack.auditDeadLetters, stack.sweepDeadLetters]) {
      alarmOn('ApproximateNumberOfMessagesVisible', [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [stack.getLogicalId(queue.node.defaultChild as CfnQueue), 'QueueName'] } }]);
    }
    alarmOn('IteratorAge', [{ Name: 'FunctionName', Value: { Ref: functionId('audit-stream') } }]);
    alarmOn('Errors', [{ Name: 'FunctionName', Value: { Ref: functionId('expiry-sweep') } }]);
  });
});

describe('configuration', () => {
  it('takes the auth settings and superusers as parameters (auth required, superusers optional)', () => {
    const parameters = template.toJSON().Parameters as Record<string, { Default?: string }>;
    for (const name of ['AuthJwksUrl', 'AuthIssuer', 'AuthAudience']) {
      expect(parameters[name], name).toBeDefined();
      expect(parameters[name].Default, name).toBeUndefined();
    }
    expect(parameters.Superusers.Default).toBe('');
    expect(parameters.AuditRetentionDays.Default).toBe('365');
    expect(Object.keys(parameters).some((name) => /secret/i.test(name))).toBe(false);
  });

  it.each(['authJwtSecret', 'AUTH_JWT_SECRET', 'jwt-secret'])('refuses a JWT secret in the context (%s)', (key) => {
    const app = new App({ context: { ...NO_BUNDLING, [key]: 'local-dev-secret' } });
    expect(() => new TagServiceStack(app, 'Refused')).toThrow(/JWT secret .* local runtime only/);
  });

  it('synthesizes without an account or region (environment-agnostic)', () => {
    expect(Token.isUnresolved(stack.account)).toBe(true);
    expect(Token.isUnresolved(stack.region)).toBe(true);
    expect(stack.environment).toBe('aws://unknown-account/unknown-region');
  });
});
