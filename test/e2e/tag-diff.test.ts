/**
 * Extension: `GET …/tagdiff?from=T1&to=T2` end to end, checked against a model: random sequences of
 * creates, moves and deletes are applied over HTTP (the clock advanced between them), the model
 * keeps the alive tags after each step, and the diff between any two recorded instants must equal
 * the model's (fast-check).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepository, push } from '../support/fixtures.js';
import { startTestServer } from '../support/local-server.js';
import type { TestServer } from '../support/local-server.js';
import { imageManifest } from '../support/manifests.js';

let server: TestServer;
let token: string;

beforeAll(async () => {
  server = await startTestServer({ streamPolling: false });
  token = await server.tokenFor('differ');
});

afterAll(async () => {
  await server?.stop();
});

const advance = async (seconds: number) => (await server.api('POST', '/_local/clock', { body: { advance_s: seconds } })).body.now as number;
const diff = (repo: string, query: string) => server.api('GET', `/api/v1/repository/differ/${repo}/tagdiff?${query}`, { token });

type State = Map<string, string>;

function modelDiff(from: State, to: State) {
  const sorted = <T extends { tag: string }>(list: T[]) => list.sort((x, y) => (x.tag < y.tag ? -1 : x.tag > y.tag ? 1 : 0));
  return {
    added: sorted([...to].filter(([tag]) => !from.has(tag)).map(([tag, digest]) => ({ tag, manifest_digest: digest }))),
    removed: sorted([...from].filter(([tag]) => !to.has(tag)).map(([tag, digest]) => ({ tag, manifest_digest: digest }))),
    moved: sorted(
      [...to]
        .filter(([tag, digest]) => from.has(tag) && from.get(tag) !== digest)
        .map(([tag, digest]) => ({ tag, from_manifest_digest: from.get(tag) as string, to_manifest_digest: digest })),
    ),
  };
}

const TAGS = ['alpha', 'beta', 'Gamma', 'delta'];
const operation = fc.record({ tag: fc.constantFrom(...TAGS), target: fc.constantFrom(0, 1, 2, -1) });

let runs = 0;

describe('GET …/tagdiff', () => {
  it('equals the diff of a model of the history, between any two recorded instants', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 1, maxLength: 10 }), fc.array(fc.tuple(fc.nat(), fc.nat()), { minLength: 1, maxLength: 4 }), async (ops, pairs) => {
        const repo = `model${runs++}`;
        await createRepository(server, token, 'differ', repo);
        const manifests = [imageManifest(), imageManifest(), imageManifest()];
        // Anchors keep every manifest reachable from an alive tag (PUT's rule) and are in every state.
        const state: State = new Map();
        for (const [index, manifest] of manifests.entries()) {
          await push(server, token, `differ/${repo}`, `anchor${index}`, manifest);
          state.set(`anchor${index}`, manifest.digest);
        }
        const snapshots: { at: number; state: State }[] = [{ at: await advance(2), state: new Map(state) }];
        for (const op of ops) {
          const url = `/api/v1/repository/differ/${repo}/tag/${op.tag}`;
          if (op.target < 0) {
            const response = await server.api('DELETE', url, { token });
            expect(response.status).toBe(state.has(op.tag) ? 204 : 404);
            state.delete(op.tag);
          } else {
            const response = await server.api('PUT', url, { token, body: { manifest_digest: manifests[op.target].digest } });
            expect(response.status).toBe(201);
            state.set(op.tag, manifests[op.target].digest);
          }
          snapshots.push({ at: await advance(2), state: new Map(state) });
        }
        for (const [i, j] of pairs) {
          const from = snapshots[i % snapshots.length];
          const to = snapshots[j % snapshots.length];
          const response = await diff(repo, `from=${from.at / 1000}&to=${new Date(to.at).toISOString()}`);
          expect(response.status, response.text).toBe(200);
          expect(response.body).toEqual({ from: new Date(from.at).toISOString(), to: new Date(to.at).toISOString(), ...modelDiff(from.state, to.state) });
          const tag = TAGS[(i + j) % TAGS.length];
          const one = await diff(repo, `from=${from.at / 1000}&to=${to.at / 1000}&specificTag=${tag}`);
          const only = (s: State) => new Map([...s].filter(([name]) => name === tag));
          expect(one.body).toMatchObject(modelDiff(only(from.state), only(to.state)));
        }
      }),
      { numRuns: 8 },
    );
  });

  it('refuses missing or malformed instants with 400, and needs read access', async () => {
    await createRepository(server, token, 'differ', 'bounds');
    for (const query of ['', 'from=1', 'to=1', 'from=yesterday&to=1', 'from=1&to=99999999999999', 'from=-5&to=1']) {
      expect((await diff('bounds', query)).status, query).toBe(400);
    }
    expect((await diff('bounds', 'from=1&to=2')).body).toMatchObject({ added: [], removed: [], moved: [] });
    const stranger = await server.tokenFor('stranger');
    expect((await server.api('GET', '/api/v1/repository/differ/bounds/tagdiff?from=1&to=2', { token: stranger })).status).toBe(403);
  });
});
