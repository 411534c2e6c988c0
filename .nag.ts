import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { TagServiceStack } from './infra/stack.ts';
const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, outdir: '/tmp/adopt-bench/nag-out' });
new TagServiceStack(app, 'TagService');
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
try { app.synth(); console.log('synth ok'); } catch (e) { console.log('THROWN', String(e).slice(0, 3000)); }
