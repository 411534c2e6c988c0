/**
 * The HTTP API (payload 2.0): one route per entry of infra/routes.ts, each to its handler's function,
 * a `$default` stage with default route throttling and JSON access logs.
 *
 * API Gateway route keys cannot end in "/" (CDK's HttpRouteKey refuses them, and API Gateway itself
 * rejects such keys), while Quay's and the OCI distribution's paths do (`.../tag/`, `/v2/`): the
 * route table gives such routes a key without the slash plus a `{proxy+}` fallback
 * (infra/routes.ts `gatewayRoutes`), which this construct registers as given.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  HttpApi,
  HttpMethod,
  HttpRoute,
  HttpRouteKey,
  HttpStage,
  LogGroupLogDestination,
  PayloadFormatVersion,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { routeKeyOf, routeKeyPath, type GatewayRoute } from '../routes.js';

export { routeKeyOf, routeKeyPath };

export interface ApiThrottle {
  /** Steady-state requests per second, per route (stage default route settings). */
  rateLimit: number;
  /** Bucket size, per route. */
  burstLimit: number;
}

export interface ServiceApiProps {
  routes: readonly GatewayRoute[];
  /** The function serving each handler name. */
  functions: ReadonlyMap<string, IFunction>;
  throttle: ApiThrottle;
  logRetention?: RetentionDays;
}

export class ServiceApi extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly accessLogs: LogGroup;

  constructor(scope: Construct, id: string, props: ServiceApiProps) {
    super(scope, id);
    this.api = new HttpApi(this, 'HttpApi', {
      description: 'Quay-compatible tag service',
      createDefaultStage: false,
    });

    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.throttle.rateLimit, burstLimit: props.throttle.burstLimit },
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            method: '$context.httpMethod',
            path: '$context.path',
            routeKey: '$context.routeKey',
            status: '$context.status',
            latencyMs: '$context.responseLatency',
            integrationLatencyMs: '$context.integrationLatency',
            integrationError: '$context.integrationErrorMessage',
            bytes: '$context.responseLength',
          }),
        ),
      },
    });

    // One integration per function: HEAD and GET of a manifest share it.
    const integrations = new Map<string, HttpLambdaIntegration>();
    const seenKeys = new Set<string>();
    for (const route of props.routes) {
      const key = routeKeyOf(route);
      if (seenKeys.has(key)) throw new Error(`two routes map to the API Gateway route key "${key}"`);
      seenKeys.add(key);
      const fn = props.functions.get(route.handler);
      if (!fn) throw new Error(`no function for handler "${route.handler}" of route ${key}`);
      let integration = integrations.get(route.handler);
      if (!integration) {
        integration = new HttpLambdaIntegration(`${route.handler}-integration`, fn, {
          payloadFormatVersion: PayloadFormatVersion.VERSION_2_0,
        });
        integrations.set(route.handler, integration);
      }
      new HttpRoute(this, `${route.method}${routeKeyPath(route.path).replace(/[^A-Za-z0-9]+/g, '-')}`, {
        httpApi: this.api,
        routeKey: HttpRouteKey.with(routeKeyPath(route.path), HttpMethod[route.method]),
        integration,
      });
    }
  }

  /** The invoke URL of the `$default` stage (ends with "/"). */
  get url(): string {
    return this.stage.url;
  }
}
