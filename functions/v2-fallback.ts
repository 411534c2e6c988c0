/**
 * ANY /v2/{proxy+}: `GET /v2/` (the version probe, spelled with its slash) and every /v2 path this
 * service does not implement. Blobs and uploads live in the registry proper, not here: they get an
 * OCI error body instead of the gateway's bare 404, so clients report a registry error.
 */
import { HttpError } from '../shared/http/errors.js';
import { pipelineHandler } from '../shared/http/pipeline.js';
import { trailingSlashRoute } from './lib/trailing-slash.js';
import { handler as base } from './v2-base.js';

const BLOB = /^[^/]+\/[^/]+\/blobs\/[^/]+$/;

function ociNotFound(code: 'BLOB_UNKNOWN' | 'UNSUPPORTED', message: string): HttpError {
  return new HttpError(404, () => ({ errors: [{ code, message, detail: null }] }));
}

const unknownPath = pipelineHandler(
  'v2-fallback',
  async (request) => {
    const rest = request.params.proxy ?? '';
    if ((request.method === 'GET' || request.method === 'HEAD') && BLOB.test(rest)) throw ociNotFound('BLOB_UNKNOWN', 'blob unknown to registry');
    throw ociNotFound('UNSUPPORTED', 'the operation is unsupported');
  },
  { errors: 'oci' },
);

export const handler = trailingSlashRoute(async (event, context) => {
  if (event.requestContext.http.method !== 'GET') return unknownPath(event, context);
  return base(event, context);
}, unknownPath);
