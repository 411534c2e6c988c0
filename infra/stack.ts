/**
 * The deployed tag service, generated from infra/routes.ts and infra/tables.ts:
 *
 *   HTTP API (payload 2.0) ──> one function per route handler ──> registry table
 *   registry stream ──> audit-stream (filtered to change items, partial batch failures, SQS DLQ) ──> audit table
 *   registry stream ──> event-publisher (own mapping, tag changes only, SQS DLQ) ──> TagEvents bus
 *   EventBridge Scheduler, every minute (retries, SQS DLQ) ──> expiry-sweep (reserved concurrency 1)
 *
 * Deploy-time configuration is CloudFormation parameters (docs/deploy.md): JWT issuer, audience and
 * JWKS URL, superusers, audit retention, log level. No JWT secret exists here (HS256 is local only).
 */
import { CfnOutput, CfnParameter, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { FilterRule, type IFunction } from 'aws-cdk-lib/aws-lambda';
import { Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { acknowledgeNagFindings } from './nag.js';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { apiHandlers, backgroundFunctions, gatewayRoutes, type GatewayRoute } from './routes.js';
import { auditTable, registryTable } from './tables.js';
import { ServiceApi, type ApiThrottle } from './constructs/service-api.js';
import { ServiceFunction } from './constructs/service-function.js';
import { ServiceTable } from './constructs/table.js';
import { grantTableAccess, type AccessLevel } from './constructs/table-access.js';
import { changeStreamSource, TagEvents } from './constructs/tag-events.js';

/** What one function may do to each table. */
export interface FunctionAccess {
  registry?: AccessLevel;
  audit?: AccessLevel;
}

/** Environment variables a deployed function must never get: they switch on local-only behaviour. */
export const LOCAL_ONLY_ENVIRONMENT = ['TAG_SERVICE_LOCAL', 'AUTH_JWT_SECRET'] as const;

/** Context keys that look like an attempt to configure a JWT secret. */
const JWT_SECRET_KEY = /jwt[-_]?secret/i;

export interface TagServiceStackProps extends StackProps {
  /** Per-route throttling of the `$default` stage (default: 100 requests/s, burst 200). */
  throttle?: ApiThrottle;
}

const DEFAULT_THROTTLE: ApiThrottle = { rateLimit: 100, burstLimit: 200 };

/** The combined access of the routes a handler serves (HEAD and GET of a manifest share one function). */
export function accessOfHandler(handler: string, routeTable: readonly Pick<GatewayRoute, 'handler' | 'access'>[] = gatewayRoutes): FunctionAccess {
  const access: FunctionAccess = {};
  for (const route of routeTable.filter((entry) => entry.handler === handler)) {
    if (route.access.registry === 'readwrite' || access.registry === 'readwrite') access.registry = 'readwrite';
    else if (route.access.registry === 'read') access.registry = 'read';
    if (route.access.audit) access.audit ??= route.access.audit;
  }
  return access;
}

/** Throws when the app's context tries to set a JWT secret (only the local runtime has one). */
export function refuseJwtSecret(scope: Construct): void {
  const keys = Object.keys(scope.node.getAllContext() as Record<string, unknown>).filter((key) => JWT_SECRET_KEY.test(key));
  if (keys.length > 0) {
    throw new Error(
      `Refusing context ${keys.map((key) => `"${key}"`).join(', ')}: a JWT secret (HS256) is for the local runtime only. ` +
        'A deployed tag service verifies tokens with the AuthJwksUrl, AuthIssuer and AuthAudience parameters (docs/deploy.md).',
    );
  }
}

export class TagServiceStack extends Stack {
  readonly registry: ServiceTable;
  readonly audit: ServiceTable;
  /** Every function by handler name: one per distinct route handler, plus the background functions. */
  readonly functions = new Map<string, ServiceFunction>();
  readonly api: ServiceApi;
  readonly auditDeadLetters: Queue;
  readonly sweepDeadLetters: Queue;
  readonly alarmTopic: Topic;
  readonly events: TagEvents;
  readonly eventDeadLetters: Queue;

  constructor(scope: Construct, id: string, props: TagServiceStackProps = {}) {
    super(scope, id, props);
    refuseJwtSecret(this);

    // Deploy-time configuration.
    const jwksUrl = new CfnParameter(this, 'AuthJwksUrl', {
      type: 'String',
      description: 'JWKS URL of the identity provider that issues the bearer tokens (https://...).',
      allowedPattern: '^https://\\S+$',
      constraintDescription: 'must be an https:// URL',
    });
    const issuer = new CfnParameter(this, 'AuthIssuer', {
      type: 'String',
      description: 'Expected "iss" claim of the bearer tokens.',
      minLength: 1,
    });
    const audience = new CfnParameter(this, 'AuthAudience', {
      type: 'String',
      description: 'Expected "aud" claim of the bearer tokens.',
      minLength: 1,
    });
    const superusers = new CfnParameter(this, 'Superusers', {
      type: 'String',
      description: 'Comma-separated usernames ("sub" claims) that may do anything. Empty for none.',
      default: '',
    });
    const auditRetentionDays = new CfnParameter(this, 'AuditRetentionDays', {
      type: 'String',
      description: 'Days an audit log entry is kept (TTL on the audit table).',
      default: '365',
      allowedPattern: '^[1-9][0-9]{0,4}$',
      constraintDescription: 'must be a whole number of days, 1 to 99999',
    });
    const logLevel = new CfnParameter(this, 'LogLevel', {
      type: 'String',
      description: 'Lowest level of the JSON log lines the functions write.',
      default: 'info',
      allowedValues: ['debug', 'info', 'warn', 'error'],
    });

    // Tables.
    this.registry = new ServiceTable(this, 'Registry', { definition: registryTable });
    this.audit = new ServiceTable(this, 'Audit', { definition: auditTable });

    const environment: Record<string, string> = {
      REGISTRY_TABLE: this.registry.table.tableName,
      AUDIT_TABLE: this.audit.table.tableName,
      AUTH_JWKS_URL: jwksUrl.valueAsString,
      AUTH_ISSUER: issuer.valueAsString,
      AUTH_AUDIENCE: audience.valueAsString,
      SUPERUSERS: superusers.valueAsString,
      AUDIT_RETENTION_DAYS: auditRetentionDays.valueAsString,
      LOG_LEVEL: logLevel.valueAsString,
    };
    for (const name of LOCAL_ONLY_ENVIRONMENT) {
      if (name in environment) throw new Error(`${name} must never reach a deployed function`);
    }

    const addFunction = (handler: string, access: FunctionAccess, options: { description: string; timeout: Duration; reservedConcurrentExecutions?: number }) => {
      const fn = new ServiceFunction(this, pascalCase(handler), { handler, environment, ...options });
      if (access.registry) grantTableAccess(fn.fn, this.registry, access.registry);
      if (access.audit) grantTableAccess(fn.fn, this.audit, access.audit);
      this.functions.set(handler, fn);
      return fn;
    };

    // One function per distinct route handler (trailing-slash fallbacks included).
    for (const handler of apiHandlers()) {
      const served = gatewayRoutes.filter((route) => route.handler === handler).map((route) => `${route.method} ${route.path}`);
      // Lambda caps descriptions at 256 characters (a handler may serve many routes).
      const description = served.join(', ');
      addFunction(handler, accessOfHandler(handler), { description: description.length > 256 ? `${description.slice(0, 253)}...` : description, timeout: Duration.seconds(10) });
    }

    // The API.
    const apiFunctions = new Map<string, IFunction>([...this.functions].map(([handler, fn]) => [handler, fn.fn]));
    this.api = new ServiceApi(this, 'Api', { routes: gatewayRoutes, functions: apiFunctions, throttle: props.throttle ?? DEFAULT_THROTTLE });

    // Audit: the registry stream feeds the audit consumer.
    this.auditDeadLetters = deadLetterQueue(this, 'AuditStreamDeadLetters');
    const auditStream = addFunction(backgroundFunctions.auditStream.handler, backgroundFunctions.auditStream.access, {
      description: 'Registry table stream -> audit table',
      timeout: Duration.seconds(60),
    });
    // Only the outbox "change" items become audit entries (functions/audit-stream.ts ignores the rest).
    auditStream.fn.addEventSource(changeStreamSource(this.registry, this.auditDeadLetters, { type: { S: FilterRule.isEqual('change') } }));

    // Expiry sweep: every minute, one at a time.
    this.sweepDeadLetters = deadLetterQueue(this, 'SweepScheduleDeadLetters');
    const sweep = addFunction(backgroundFunctions.expirySweep.handler, backgroundFunctions.expirySweep.access, {
      description: 'Scheduled sweep: expiries, purges, manifest GC',
      timeout: Duration.seconds(60),
      reservedConcurrentExecutions: 1,
    });
    // A failed sweep is not retried (the next one is a minute away); one throttled because the previous
    // sweep is still running waits at most 2 minutes, then is dropped, so invocations never pile up.
    sweep.fn.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.minutes(2) });
    new Schedule(this, 'SweepSchedule', {
      description: 'Runs the expiry sweep every minute',
      schedule: ScheduleExpression.rate(Duration.minutes(1)),
      target: new LambdaInvoke(sweep.fn, {
        retryAttempts: 2,
        maxEventAge: Duration.minutes(2),
        deadLetterQueue: this.sweepDeadLetters,
      }),
    });

    // Tag events: the stream's second consumer publishes every tag change to the bus (docs/events.md).
    this.eventDeadLetters = deadLetterQueue(this, 'EventPublisherDeadLetters');
    const publisher = addFunction(backgroundFunctions.eventPublisher.handler, backgroundFunctions.eventPublisher.access, {
      description: 'Registry table stream -> EventBridge (tag events)',
      timeout: Duration.seconds(60),
    });
    const delivery = addFunction(backgroundFunctions.webhookDelivery.handler, backgroundFunctions.webhookDelivery.access, {
      description: 'Delivery queue -> signed webhook POSTs (repository notifications)',
      timeout: Duration.seconds(60),
    });
    // Functions that queue deliveries themselves: the test route, and the sweep (expiry notices).
    const senders = [this.functions.get('test-notification'), sweep].filter((fn) => fn !== undefined).map((fn) => fn.fn);
    this.events = new TagEvents(this, 'TagEvents', {
      registry: this.registry,
      publisher: publisher.fn,
      deadLetters: this.eventDeadLetters,
      delivery: delivery.fn,
      deliverySenders: senders,
    });
    publisher.fn.addEnvironment('EVENT_BUS_NAME', this.events.bus.eventBusName);
    for (const fn of [delivery.fn, ...senders]) fn.addEnvironment('DELIVERY_QUEUE_URL', this.events.deliveryQueue.queueUrl);

    // Alarms, all to one topic (subscribe to it after deploying).
    // enforceSSL: publishers must use TLS (cdk-nag AwsSolutions-SNS3).
    this.alarmTopic = new Topic(this, 'Alarms', { displayName: 'Tag service alarms', enforceSSL: true });
    const alarm = (id: string, description: string, metric: IMetric, threshold: number, evaluationPeriods = 1) => {
      const created = new Alarm(this, id, {
        alarmDescription: description,
        metric,
        threshold,
        evaluationPeriods,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      created.addAlarmAction(new SnsAction(this.alarmTopic));
      return created;
    };
    const fiveMinutes = Duration.minutes(5);
    alarm(
      'ApiServerErrors',
      'The API answered 5xx (handlers map domain errors to 4xx, so any 5xx is a fault).',
      this.api.api.metricServerError({ period: fiveMinutes, statistic: 'Sum' }),
      1,
    );
    alarm(
      'AuditStreamDeadLetterDepth',
      'Stream records the audit consumer gave up on: audit entries are missing.',
      this.auditDeadLetters.metricApproximateNumberOfMessagesVisible({ period: fiveMinutes, statistic: 'Maximum' }),
      1,
    );
    alarm(
      'SweepScheduleDeadLetterDepth',
      'EventBridge Scheduler could not invoke the expiry sweep.',
      this.sweepDeadLetters.metricApproximateNumberOfMessagesVisible({ period: fiveMinutes, statistic: 'Maximum' }),
      1,
    );
    alarm(
      'AuditStreamIteratorAge',
      'The audit consumer has been more than 5 minutes behind the registry stream for 10 minutes.',
      auditStream.fn.metric('IteratorAge', { period: fiveMinutes, statistic: 'Maximum' }),
      Duration.minutes(5).toMilliseconds(),
      2,
    );
    alarm(
      'EventPublisherDeadLetterDepth',
      'Stream records the event publisher gave up on: tag events are missing from the bus.',
      this.eventDeadLetters.metricApproximateNumberOfMessagesVisible({ period: fiveMinutes, statistic: 'Maximum' }),
      1,
    );
    alarm(
      'EventPublisherIteratorAge',
      'The event publisher has been more than 5 minutes behind the registry stream for 10 minutes.',
      publisher.fn.metric('IteratorAge', { period: fiveMinutes, statistic: 'Maximum' }),
      Duration.minutes(5).toMilliseconds(),
      2,
    );
    alarm(
      'DeliveryDeadLetterDepth',
      'Webhook delivery messages failed 5 times (or the bus could not reach the queue).',
      this.events.deliveryDeadLetters.metricApproximateNumberOfMessagesVisible({ period: fiveMinutes, statistic: 'Maximum' }),
      1,
    );
    alarm(
      'SweepErrors',
      'The expiry sweep failed at least 3 times in 15 minutes.',
      sweep.fn.metricErrors({ period: Duration.minutes(15), statistic: 'Sum' }),
      3,
    );

    new CfnOutput(this, 'ApiUrl', { description: 'Base URL of the tag service API', value: this.api.url });
    new CfnOutput(this, 'RegistryTableName', { value: this.registry.table.tableName });
    new CfnOutput(this, 'AuditTableName', { value: this.audit.table.tableName });
    new CfnOutput(this, 'EventBusName', { description: 'EventBridge bus of the tag events', value: this.events.bus.eventBusName });
    new CfnOutput(this, 'AlarmTopicArn', { description: 'Subscribe to receive the alarms', value: this.alarmTopic.topicArn });

    // The cdk-nag findings kept on purpose, each with its reason (infra/nag.ts).
    acknowledgeNagFindings(this);
  }
}

function deadLetterQueue(scope: Construct, id: string): Queue {
  return new Queue(scope, id, {
    retentionPeriod: Duration.days(14),
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
  });
}

function pascalCase(name: string): string {
  return name.replace(/(^|[-_])([a-z0-9])/g, (_match, _separator: string, letter: string) => letter.toUpperCase());
}
