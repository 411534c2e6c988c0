/**
 * A minimal signed client for AWS's JSON protocols (EventBridge PutEvents, SQS SendMessage): the
 * full SDK clients are not dependencies of this project, and two calls do not need them. Requests
 * are signed with SigV4 using the function role's credentials (environment variables on Lambda).
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { fromEnv } from '@aws-sdk/credential-provider-env';
import { SignatureV4 } from '@smithy/signature-v4';

function toBytes(data: ArrayBuffer | ArrayBufferView): Uint8Array {
  return ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
}

/** The Checksum SigV4 needs, on node:crypto. */
class Sha256 {
  private hash: Hash | Hmac;
  private readonly secret?: string | Uint8Array;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.secret = secret === undefined || typeof secret === 'string' ? secret : toBytes(secret);
    this.hash = this.fresh();
  }
  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', this.secret);
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(typeof data === 'string' ? data : toBytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.fresh();
  }
}

export interface AwsJsonService {
  /** Signing name and endpoint prefix, e.g. `events`, `sqs`. */
  service: string;
  /** `1.1` (EventBridge) or `1.0` (SQS). */
  jsonVersion: '1.0' | '1.1';
  /** X-Amz-Target prefix, e.g. `AWSEvents`, `AmazonSQS`. */
  targetPrefix: string;
}

export class AwsCallError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(`${code}: ${message}`);
    this.name = 'AwsCallError';
  }
}

/** A caller of one service's actions in one region. */
export function awsJsonClient(service: AwsJsonService, region: string) {
  const signer = new SignatureV4({ credentials: fromEnv(), region, service: service.service, sha256: Sha256 });
  const hostname = `${service.service}.${region}.amazonaws.com`;
  return async function call<T>(action: string, input: unknown): Promise<T> {
    const body = JSON.stringify(input);
    const signed = await signer.sign({
      method: 'POST',
      protocol: 'https:',
      hostname,
      path: '/',
      headers: {
        host: hostname,
        'content-type': `application/x-amz-json-${service.jsonVersion}`,
        'x-amz-target': `${service.targetPrefix}.${action}`,
      },
      body,
    });
    const response = await fetch(`https://${hostname}/`, {
      method: 'POST',
      headers: signed.headers,
      body,
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    const parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    if (!response.ok) {
      const code = String(parsed.__type ?? response.status).split('#').pop() as string;
      throw new AwsCallError(response.status, code, String(parsed.message ?? parsed.Message ?? text));
    }
    return parsed as T;
  };
}
