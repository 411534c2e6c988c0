import { defineConfig } from 'vitest/config';

// Forked workers inherit these: no Node-20 deprecation notice from the AWS SDK in test output.
process.env.NODE_NO_WARNINGS = '1';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One DynamoDB Local for the whole run (or DDB_ENDPOINT); files use their own tables.
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default', ['json', { outputFile: '.vitest-report.json' }]],
    env: {
      // One JSON line per request is right in production and noise in test output.
      LOG_LEVEL: 'error',
      // EMF lines (shared/metrics.ts) are for CloudWatch; test/unit/observability.test.ts turns them on.
      POWERTOOLS_METRICS_DISABLED: 'true',
      NODE_NO_WARNINGS: '1',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
  },
});
