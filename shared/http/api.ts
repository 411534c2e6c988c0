/** The handler wrapper of routes that use the store (all but health and the /v2 probe and token). */
import { serviceDeps } from '../deps.js';
import { pipelineHandler } from './pipeline.js';
import type { ApiRequest, ApiResponse, RouteOptions } from './pipeline.js';

export function apiHandler(route: string, run: (request: ApiRequest) => Promise<ApiResponse>, options: RouteOptions = {}) {
  return pipelineHandler(route, run, { deps: serviceDeps, idempotency: true, ...options });
}
