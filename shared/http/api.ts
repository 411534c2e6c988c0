/** The handler wrapper of routes that use the store (all but health and the /v2 probe and token). */
import { serviceDeps } from '../deps.js';
import { pipelineHandler } from './pipeline.js';
import type { ApiRequest, ApiResponse, Deps, ErrorStyle } from './pipeline.js';

export function apiHandler(
  route: string,
  run: (request: ApiRequest) => Promise<ApiResponse>,
  options: { errors?: ErrorStyle; deps?: () => Deps } = {},
) {
  return pipelineHandler(route, run, { deps: serviceDeps, ...options });
}
