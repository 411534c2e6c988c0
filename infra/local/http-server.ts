/**
 * The Node HTTP layer of the local gateway: a server whose own refusals (oversized headers, unknown
 * methods, malformed requests, requests that never finish) get API Gateway's JSON bodies instead of
 * Node's empty responses, request bodies read within a limit and a deadline, and responses written
 * as API Gateway writes them.
 */
import { createServer, STATUS_CODES, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { HttpResult } from './payload-codec.js';
import { GATEWAY_ERRORS, INTEGRATION_TIMEOUT_MS, MAX_HEADER_BYTES, type GatewayError } from './limits.js';

/** The gateway's answer to a request Node refused before it became a request. */
export function clientErrorFor(code: string | undefined): GatewayError {
  if (code === 'HPE_HEADER_OVERFLOW') return GATEWAY_ERRORS.headersTooLarge;
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return GATEWAY_ERRORS.requestTimeout;
  return GATEWAY_ERRORS.badRequest;
}

function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const { status, message } = clientErrorFor(error.code);
  const body = JSON.stringify({ message });
  // A response to HEAD has no body (its Content-Length still tells the length), else the client
  // reads the body as the start of the next response.
  const head = (error as { rawPacket?: Buffer }).rawPacket?.subarray(0, 5).toString('latin1') === 'HEAD ';
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${head ? '' : body}`,
  );
}

/** A node:http server with API Gateway's header limit and deadlines. */
export function createApiServer(listener: RequestListener, options: { timeoutMs?: number } = {}): Server {
  const timeoutMs = options.timeoutMs ?? INTEGRATION_TIMEOUT_MS;
  const server = createServer({ maxHeaderSize: MAX_HEADER_BYTES, connectionsCheckingInterval: Math.min(1000, timeoutMs) }, listener);
  // The gateway answers a slow body itself at the deadline (gateway.ts); these are the backstops for
  // a client that never finishes its headers, or a request nothing answered.
  server.headersTimeout = timeoutMs;
  server.requestTimeout = timeoutMs + 1000;
  server.keepAliveTimeout = 5_000;
  server.on('clientError', answerClientError);
  return server;
}

export class BodyTooLargeError extends Error {}

/** Reads the request body, refusing more than `limit` bytes. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      reject(new BodyTooLargeError());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        chunks.length = 0;
        reject(new BodyTooLargeError());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks));
    });
    req.on('error', (error) => {
      if (!failed) {
        failed = true;
        reject(error);
      }
    });
  });
}

// Hop-by-hop and framing headers belong to the gateway, not to the function.
const GATEWAY_OWNED = new Set(['connection', 'transfer-encoding', 'keep-alive', 'upgrade', 'content-length']);

/** Writes a mapped result; HEAD responses never carry a body (but keep their Content-Length). */
export function writeHttpResult(res: ServerResponse, method: string, result: HttpResult, requestId: string): void {
  const isHead = method.toUpperCase() === 'HEAD';
  for (const [name, value] of Object.entries(result.headers)) {
    if (GATEWAY_OWNED.has(name) && !(isHead && name === 'content-length')) continue;
    res.setHeader(name, value);
  }
  if (result.cookies.length > 0) res.setHeader('set-cookie', result.cookies);
  res.setHeader('apigw-requestid', requestId);
  res.statusCode = result.statusCode;
  if (isHead) {
    if (!res.hasHeader('content-length')) res.setHeader('content-length', String(result.body.length));
    res.end();
    return;
  }
  res.setHeader('content-length', String(result.body.length));
  res.end(result.body);
}

/** A JSON response produced by the gateway itself (errors, local hooks). */
export function sendJson(res: ServerResponse, statusCode: number, payload: unknown, extraHeaders: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const body = Buffer.from(JSON.stringify(payload), 'utf8');
  res.statusCode = statusCode;
  res.setHeader('content-type', 'application/json');
  for (const [name, value] of Object.entries(extraHeaders)) res.setHeader(name, value);
  res.setHeader('content-length', String(body.length));
  res.end(res.req?.method === 'HEAD' ? undefined : body);
}

/** One of the gateway's own error answers. */
export function sendGatewayError(res: ServerResponse, error: GatewayError, headers: Record<string, string> = {}): void {
  sendJson(res, error.status, { message: error.message }, headers);
}
