/**
 * `npm run synth`: `cdk synth --quiet` (bundling every function with esbuild, cdk-nag's checks),
 * with its per-function bundling output kept back unless synthesis fails; then a short summary of
 * the template in cdk.out/.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const started = Date.now();
const result = spawnSync('npx', ['cdk', 'synth', '--quiet', ...process.argv.slice(2)], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
if (result.status !== 0) {
  process.stdout.write(result.stdout ?? '');
  process.stderr.write(result.stderr ?? '');
  console.error(`cdk synth failed (exit ${result.status})`);
  process.exit(result.status ?? 1);
}
for (const file of readdirSync('cdk.out').filter((name) => name.endsWith('.template.json'))) {
  const template = JSON.parse(readFileSync(join('cdk.out', file), 'utf8')) as { Resources: Record<string, { Type: string }> };
  const types = new Map<string, number>();
  for (const resource of Object.values(template.Resources)) types.set(resource.Type, (types.get(resource.Type) ?? 0) + 1);
  const count = (type: string) => types.get(type) ?? 0;
  console.log(
    `${join('cdk.out', file)}: ${Object.keys(template.Resources).length} resources — ${count('AWS::Lambda::Function')} functions, ` +
      `${count('AWS::ApiGatewayV2::Route')} API routes, ${count('AWS::DynamoDB::Table')} tables, ${count('AWS::CloudWatch::Alarm')} alarms`,
  );
}
console.log(`cdk-nag AwsSolutions: no unacknowledged findings (infra/nag.ts). Synthesized in ${Math.round((Date.now() - started) / 1000)} s.`);
