/** GET /v2/ — the OCI API version check that real clients probe first. */
import { apiHandler } from '../shared/http/pipeline.js';

export const handler = apiHandler(
  'v2-base',
  async () => ({ status: 200, body: {}, headers: { 'docker-distribution-api-version': 'registry/2.0' } }),
  { errors: 'oci' },
);
