/** Writes docs/openapi.json from the route table (infra/openapi.ts). Run by `npm run generate`. */
import { writeFileSync } from 'node:fs';
import { OPENAPI_FILE, renderOpenApi } from '../openapi.js';

writeFileSync(OPENAPI_FILE, renderOpenApi());
console.log('wrote docs/openapi.json');
