/** GET /health/instance — answers 200 once the instance can serve requests (no database call). */
import { pipelineHandler } from '../shared/http/pipeline.js';

export const handler = pipelineHandler('health', async () => ({ status: 200, body: { status: 'ok' } }));
