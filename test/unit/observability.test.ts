/**
 * Powertools in the service: metrics leave as one CloudWatch EMF line, and a refused token is
 * logged with its reason and never with the token. Modules are loaded fresh with the environment
 * the test sets (Logger and Metrics read it when they are built).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readConfig } from '../../shared/config.js';
import { signLocalToken } from '../../infra/local/token.js';

/** What the process writes to stdout and stderr (Powertools' Logger writes warnings to stderr). */
function captureStdout(): { lines: () => string[]; restore: () => void } {
  const written: string[] = [];
  const record = (chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  };
  const spies = [vi.spyOn(process.stdout, 'write').mockImplementation(record), vi.spyOn(process.stderr, 'write').mockImplementation(record)];
  return { lines: () => written.join('').split('\n').filter(Boolean), restore: () => spies.forEach((spy) => spy.mockRestore()) };
}

afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

describe('metrics', () => {
  it('publishes counted metrics as one EMF line in the service namespace', async () => {
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    vi.resetModules();
    const { countMetric, publishMetrics, METRICS_NAMESPACE } = await import('../../shared/metrics.js');
    const out = captureStdout();
    try {
      countMetric('WriteRetries', 2);
      countMetric('SweepExpiredTags', 0);
      publishMetrics();
      publishMetrics();
    } finally {
      out.restore();
    }
    const lines = out.lines().map((line) => JSON.parse(line));
    expect(lines).toHaveLength(1);
    expect(lines[0]._aws.CloudWatchMetrics[0].Namespace).toBe(METRICS_NAMESPACE);
    expect(lines[0]._aws.CloudWatchMetrics[0].Metrics.map((metric: { Name: string }) => metric.Name)).toEqual(['WriteRetries']);
    expect(lines[0].WriteRetries).toBe(2);
  });
});

describe('token refusals', () => {
  const cases: [string, () => Promise<string>, RegExp][] = [
    ['expired', () => signLocalToken('alice', { ttlSeconds: 60, now: Date.now() - 3_600_000 }), /token refused: expired/],
    ['bad signature', () => signLocalToken('alice', { secret: 'another-secret' }), /token refused: bad signature/],
  ];
  for (const [name, token, reason] of cases) {
    it(`logs the reason (${name}), never the token`, async () => {
      vi.stubEnv('LOG_LEVEL', 'warn');
      vi.resetModules();
      const { createAuthenticator } = await import('../../shared/http/auth.js');
      const authenticate = createAuthenticator({ ...readConfig({ TAG_SERVICE_LOCAL: '1' }), jwtSecret: 'local-dev-secret', isLocal: true });
      const presented = await token();
      const out = captureStdout();
      let principal;
      try {
        principal = await authenticate(`Bearer ${presented}`);
      } finally {
        out.restore();
      }
      expect(principal).toBeNull();
      const text = out.lines().join('\n');
      expect(text).toMatch(reason);
      expect(text).not.toContain(presented);
      expect(text).not.toContain(presented.split('.')[2]);
    });
  }
});
