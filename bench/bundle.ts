/**
 * The esbuild options of one function bundle, as the CDK stack builds them
 * (infra/constructs/service-function.ts BUNDLING → NodejsFunction): ESM, minified, platform node,
 * everything bundled including the AWS SDK (no externals), tree-shaken, with the `require` banner
 * for bundled CommonJS dependencies. The benchmark adds entry points, an output folder and a
 * metafile; nothing else.
 */
import type { BuildOptions } from 'esbuild';

export const bundleOptions: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  mainFields: ['module', 'main'],
  minify: true,
  treeShaking: true,
  sourcemap: false,
  external: [],
  // As the stack: environment credentials only (shared/lambda-credentials.ts).
  // (and the event-stream codec DynamoDB never uses: shared/no-event-streams.ts).
  alias: { '@aws-sdk/credential-provider-node': './shared/lambda-credentials.ts', '@smithy/core/event-streams': './shared/no-event-streams.ts' },
  banner: {
    js: "import { createRequire as __tagServiceCreateRequire } from 'node:module'; const require = __tagServiceCreateRequire(import.meta.url);",
  },
  outExtension: { '.js': '.mjs' },
  logLevel: 'warning',
};
