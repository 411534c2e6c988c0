/**
 * A raw HTTP client for the fuzz suite. `fetch` normalizes what it sends (dot segments, `%2e`, header
 * case, methods), which would hide exactly the inputs the suite wants to reach the server, so this
 * one writes the request target, headers and body bytes as given (node:http only refuses what it
 * cannot put on the wire: control characters in the path or a header).
 */
import { Agent, request } from 'node:http';

export interface RawRequest {
  method: string;
  /** Path plus optional `?query`, sent byte for byte. */
  target: string;
  headers: Record<string, string>;
  body?: Buffer;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  bytes: number;
  text: string;
  /** Parsed JSON, or undefined when the body is empty or not JSON. */
  json: unknown;
}

// One connection per request: a hostile request may make Node close its socket, and a kept-alive
// socket reused after that would show up as a spurious ECONNRESET on the next, innocent request.
const agent = new Agent({ keepAlive: false, maxSockets: 16 });

export function send(baseUrl: string, req: RawRequest): Promise<RawResponse> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...req.headers };
    if (req.body !== undefined && !Object.keys(headers).some((name) => name.toLowerCase() === 'content-length')) {
      headers['content-length'] = String(req.body.length);
    }
    const outgoing = request(
      { host: url.hostname, port: url.port, method: req.method, path: req.target, headers, agent, setHost: !('host' in headers) },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const raw = Buffer.concat(chunks);
          const text = raw.toString('utf8');
          let json: unknown;
          if (text.trim() !== '') {
            try {
              json = JSON.parse(text);
            } catch {
              json = undefined;
            }
          }
          resolve({ status: response.statusCode ?? 0, headers: response.headers, bytes: raw.length, text, json });
        });
      },
    );
    outgoing.on('error', reject);
    outgoing.setTimeout(60_000, () => outgoing.destroy(new Error(`no answer within 60 s: ${req.method} ${req.target.slice(0, 200)}`)));
    outgoing.end(req.body);
  });
}

/** One line describing a request, bounded, for failure messages and the known-failure report. */
export function describeRequest(req: RawRequest): string {
  const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}…(${text.length} chars)` : text);
  const headers = Object.entries(req.headers)
    .map(([name, value]) => `${name}: ${clip(name.toLowerCase() === 'authorization' ? value : value, 160)}`)
    .join(' | ');
  const body = req.body === undefined ? '' : ` body(${req.body.length} B): ${clip(req.body.toString('utf8'), 300)}`;
  return `${req.method} ${clip(req.target, 300)}${headers ? ` [${headers}]` : ''}${body}`;
}
