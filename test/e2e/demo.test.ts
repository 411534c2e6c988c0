/**
 * `npm run demo` (examples/demo.ts) against a fresh local server: every flow of README.md and
 * docs/api.md answers as documented, each response also checked against docs/openapi.json.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDemo } from '../../examples/demo.js';
import { startTestServer, type TestServer } from '../support/local-server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.stop();
});

describe('npm run demo', () => {
  it('runs the README and docs/api.md flows in order on a fresh server', async () => {
    const token = await server.tokenFor('alice');
    const lines: string[] = [];
    const steps = await runDemo(
      async (method, path, options) => {
        const { status, headers, text } = await server.api(method, path, { headers: options.headers, body: options.body });
        return { status, headers, text };
      },
      token,
      (line) => lines.push(line),
    );
    expect(steps).toBeGreaterThan(30);
    expect(lines.join('\n')).toContain('§6.5 tag names');
  }, 180_000);
});
