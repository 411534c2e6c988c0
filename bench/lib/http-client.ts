/**
 * A minimal HTTP/1.1 client for benchmarking a server in another process: one kept-alive
 * connection, requests sent one after another, `ms` = the client's round trip (request written to
 * last body byte read). Loopback only: the base URL must be http://127.0.0.1:<port>.
 */
import { Agent, request as httpRequest } from 'node:http';

export interface ClientResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  ms: number;
}

export interface ClientRequest {
  method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';
  /** Path plus optional query string. */
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export class LoopbackClient {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });
  readonly port: number;

  constructor(
    readonly baseUrl: string,
    private readonly defaultHeaders: Record<string, string> = {},
  ) {
    const url = new URL(baseUrl);
    if (url.protocol !== 'http:' || url.hostname !== '127.0.0.1') throw new Error(`loopback only, got ${baseUrl}`);
    this.port = Number(url.port);
  }

  send(request: ClientRequest): Promise<ClientResponse> {
    const body = typeof request.body === 'string' ? Buffer.from(request.body) : request.body;
    const headers: Record<string, string> = { ...this.defaultHeaders, ...(request.headers ?? {}) };
    if (body) headers['content-length'] = String(body.length);
    return new Promise((resolve, reject) => {
      const started = performance.now();
      const outgoing = httpRequest(
        { host: '127.0.0.1', port: this.port, method: request.method, path: request.path, headers, agent: this.agent },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            const ms = performance.now() - started;
            const flat: Record<string, string> = {};
            for (const [name, value] of Object.entries(response.headers)) if (value !== undefined) flat[name] = String(value);
            resolve({ status: response.statusCode ?? 0, headers: flat, body: Buffer.concat(chunks), ms });
          });
          response.on('error', reject);
        },
      );
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Throws with the start of the body when the status is not one of `expected`. */
export function expectOk(response: ClientResponse, expected: number[], what: string): ClientResponse {
  if (!expected.includes(response.status)) {
    throw new Error(`${what}: expected ${expected.join('/')}, got ${response.status}: ${response.body.toString('utf8').slice(0, 300)}`);
  }
  return response;
}

/** The target of a `Link: <…>; rel="next"` header, if any. */
export function nextLink(response: ClientResponse): string | undefined {
  const link = response.headers.link;
  const match = link ? /<([^>]+)>\s*;\s*rel="?next"?/.exec(link) : null;
  return match?.[1];
}

/** Resolves once `probe` answers `ok`, polling every 100 ms; throws after `timeoutMs`. */
export async function waitUntil(probe: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await probe()) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${what} did not come up within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
