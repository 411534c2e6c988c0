/**
 * cdk-nag (AwsSolutions) over the stack: `addNagChecks(app)` runs the rule pack at synthesis (the
 * app and test/infra/nag.test.ts), and `acknowledgeNagFindings(stack)` lists every finding the stack
 * keeps on purpose, each with its reason. Real findings are fixed in the stack instead (the alarm
 * topic refuses publishers without TLS).
 */
import { Validations } from 'aws-cdk-lib';
import type { App, CfnElement } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { TagServiceStack } from './stack.js';

export function addNagChecks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
}

const rule = (id: string) => `AwsSolutions::${id}`;

export function acknowledgeNagFindings(stack: TagServiceStack): void {
  for (const fn of stack.functions.values()) {
    Validations.of(fn.role).acknowledge({
      id: rule('AwsSolutions-IAM5[Resource::*]'),
      reason:
        'X-Ray active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions, so their resource is "*". Every other statement names its table, index, stream or log group.',
    });
  }
  Validations.of(stack.api).acknowledge({
    id: rule('AwsSolutions-APIG4'),
    reason:
      "Quay's model: anonymous callers may read public repositories and probe /v2/, so the gateway cannot require a token; every handler verifies the bearer token itself (shared/http/auth.ts) and checks the route's permission.",
  });
  for (const queue of [stack.auditDeadLetters, stack.sweepDeadLetters, stack.eventDeadLetters]) {
    Validations.of(queue).acknowledge({
      id: rule('AwsSolutions-SQS3'),
      reason: 'This queue is itself a dead-letter queue (of a stream event source mapping or of the sweep schedule); cdk-nag only recognises DLQs of other SQS queues.',
    });
  }
  const sweep = stack.functions.get('expiry-sweep');
  if (sweep) {
    const sweepId = stack.getLogicalId(sweep.fn.node.defaultChild as CfnElement);
    Validations.of(stack).acknowledge({
      id: rule(`AwsSolutions-IAM5[Resource::<${sweepId}.Arn>:*]`),
      reason: "EventBridge Scheduler's role (made by the LambdaInvoke target) may invoke the sweep function and its versions: that one function only.",
    });
  }
}
