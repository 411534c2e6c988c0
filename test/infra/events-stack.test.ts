/**
 * The event path of the CDK stack: the bus, the publisher's own stream mapping (filtered to tag
 * changes, partial failures, DLQ), its least-privilege role, and the alarms on it.
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import type { CfnQueue } from 'aws-cdk-lib/aws-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { TagServiceStack } from '../../infra/stack.js';

type Resource = { Type: string; Properties: Record<string, any> };

let stack: TagServiceStack;
let template: Template;
let resources: Record<string, Resource>;

beforeAll(() => {
  stack = new TagServiceStack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'TagService');
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources as Record<string, Resource>;
  // Synthesis takes minutes on a loaded machine.
}, 300_000);

const ofType = (type: string) => Object.entries(resources).filter(([, resource]) => resource.Type === type);
const idOf = (construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as CfnFunction);
const functionId = (handler: string) => idOf(stack.functions.get(handler)!.fn);
const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);

function statementsOf(handler: string): { Action: string | string[]; Resource: unknown }[] {
  const roleId = resources[functionId(handler)].Properties.Role['Fn::GetAtt'][0] as string;
  return ofType('AWS::IAM::Policy')
    .filter(([, policy]) => (policy.Properties.Roles as unknown[]).some((role) => JSON.stringify(role) === JSON.stringify({ Ref: roleId })))
    .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement);
}

describe('tag events', () => {
  it('has one event bus, named in an output and in the publisher’s environment', () => {
    template.resourceCountIs('AWS::Events::EventBus', 1);
    const busId = idOf(stack.events.bus);
    expect(resources[functionId('event-publisher')].Properties.Environment.Variables.EVENT_BUS_NAME).toEqual({ Ref: busId });
    template.hasOutput('EventBusName', { Value: { Ref: busId } });
  });

  it('maps the registry stream to the publisher on its own, filtered to tag changes, with partial failures and a DLQ', () => {
    const mappings = ofType('AWS::Lambda::EventSourceMapping').filter(([, mapping]) => JSON.stringify(mapping.Properties.EventSourceArn).includes('StreamArn'));
    // Two consumers of the stream: the audit consumer and the publisher, each with its own mapping.
    expect(mappings.map(([, mapping]) => mapping.Properties.FunctionName.Ref).sort()).toEqual([functionId('audit-stream'), functionId('event-publisher')].sort());
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: functionId('event-publisher') },
      StartingPosition: 'TRIM_HORIZON',
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [stack.getLogicalId(stack.eventDeadLetters.node.defaultChild as CfnQueue), 'Arn'] } } },
      FilterCriteria: {
        Filters: [
          {
            Pattern: JSON.stringify({
              eventName: ['INSERT'],
              dynamodb: { NewImage: { type: { S: ['change'] }, subject: { M: { tag: { S: [{ exists: true }] } } } } },
            }),
          },
        ],
      },
    });
  });

  it('lets the publisher put events on its bus only, read the stream, and touch no table', () => {
    const statements = statementsOf('event-publisher');
    const actions = statements.flatMap((statement) => asList(statement.Action) as string[]);
    const putEvents = statements.filter((statement) => asList(statement.Action).includes('events:PutEvents'));
    expect(putEvents).toHaveLength(1);
    expect(putEvents[0].Resource).toEqual({ 'Fn::GetAtt': [idOf(stack.events.bus), 'Arn'] });
    const tableActions = actions.filter((action) => action.startsWith('dynamodb:') && !/^dynamodb:(DescribeStream|GetRecords|GetShardIterator|ListStreams)$/.test(action));
    expect(tableActions).toEqual([]);
    expect(actions.every((action) => /^(logs|dynamodb|events|sqs|xray):/.test(action))).toBe(true);
  });

  it('alarms on the publisher’s DLQ and iterator age', () => {
    const alarms = ofType('AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties);
    expect(alarms.some((alarm) => alarm.MetricName === 'IteratorAge' && alarm.Dimensions[0].Value.Ref === functionId('event-publisher'))).toBe(true);
    const dlqName = { 'Fn::GetAtt': [stack.getLogicalId(stack.eventDeadLetters.node.defaultChild as CfnQueue), 'QueueName'] };
    expect(alarms.some((alarm) => alarm.MetricName === 'ApproximateNumberOfMessagesVisible' && JSON.stringify(alarm.Dimensions[0].Value) === JSON.stringify(dlqName))).toBe(true);
  });

  it('routes the bus to the delivery queue (with a DLQ) and the queue to the delivery function', () => {
    const queueArn = { 'Fn::GetAtt': [stack.getLogicalId(stack.events.deliveryQueue.node.defaultChild as CfnQueue), 'Arn'] };
    const dlqArn = { 'Fn::GetAtt': [stack.getLogicalId(stack.events.deliveryDeadLetters.node.defaultChild as CfnQueue), 'Arn'] };
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: idOf(stack.events.bus) },
      EventPattern: { source: ['tag-service'], 'detail-type': ['Tag Change'] },
      Targets: [{ Arn: queueArn, DeadLetterConfig: { Arn: dlqArn } }],
    });
    template.hasResourceProperties('AWS::SQS::Queue', { RedrivePolicy: { deadLetterTargetArn: dlqArn, maxReceiveCount: 5 } });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: functionId('webhook-delivery') },
      EventSourceArn: queueArn,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    for (const handler of ['webhook-delivery', 'test-notification', 'expiry-sweep']) {
      expect(resources[functionId(handler)].Properties.Environment.Variables.DELIVERY_QUEUE_URL, handler).toBeDefined();
      const sends = statementsOf(handler).filter((statement) => asList(statement.Action).includes('sqs:SendMessage'));
      expect(sends.map((statement) => statement.Resource), handler).toEqual([queueArn]);
    }
    // Only the delivery function reads the queue.
    const receivers = ofType('AWS::IAM::Policy').filter(([, policy]) => JSON.stringify(policy.Properties.PolicyDocument).includes('sqs:ReceiveMessage'));
    expect(receivers).toHaveLength(1);
  });
});
