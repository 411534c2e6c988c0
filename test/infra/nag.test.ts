/**
 * cdk-nag's AwsSolutions rules over the stack (as `npm run synth` runs them): synthesis passes, so
 * every finding is either fixed or acknowledged with its reason in infra/nag.ts.
 */
import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { addNagChecks } from '../../infra/nag.js';
import { TagServiceStack } from '../../infra/stack.js';

const outdir = mkdtempSync(join(tmpdir(), 'nag-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

interface Report {
  pluginReports: { violations: { ruleName: string; violatingConstructs: { constructPath: string }[] }[] }[];
}

function synthWithNag(): { stack: TagServiceStack; violations: string[] } {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, outdir });
  const stack = new TagServiceStack(app, 'TagService');
  addNagChecks(app);
  try {
    app.synth();
    return { stack, violations: [] };
  } catch (error) {
    if (!String(error).includes('Validation failed')) throw error;
    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as Report;
    const violations = report.pluginReports.flatMap((plugin) =>
      plugin.violations.flatMap((violation) => violation.violatingConstructs.map((construct) => `${violation.ruleName} at ${construct.constructPath}`)),
    );
    return { stack, violations };
  }
}

describe('cdk-nag AwsSolutions', () => {
  const { stack, violations } = synthWithNag();

  it('finds nothing that is neither fixed nor acknowledged with a reason', () => {
    expect(violations).toEqual([]);
  });

  it('the alarm topic refuses publishers without TLS', () => {
    const policies = Object.values(Template.fromStack(stack).findResources('AWS::SNS::TopicPolicy'));
    expect(JSON.stringify(policies)).toContain('aws:SecureTransport');
  });

  it('traces every function with X-Ray', () => {
    const functions = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'));
    expect(functions.length).toBeGreaterThan(0);
    for (const fn of functions) expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
  });
});
