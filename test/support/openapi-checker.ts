/**
 * Checks a response of the local server against docs/openapi.json: its status must be declared by
 * the operation (exactly, by range such as 2XX, or as an error under `default`), and a JSON body
 * must match the declared schema. Requests to paths the document does not describe (fallbacks,
 * unknown paths) are not checked. Used by test/support/local-server.ts for every `api()` call.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv';

type Schema = Record<string, unknown>;
interface Operation {
  responses: Record<string, { content?: Record<string, { schema?: Schema }> }>;
}

const document = JSON.parse(readFileSync(new URL('../../docs/openapi.json', import.meta.url), 'utf8')) as {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
};
const ajv = new Ajv2020({ strict: false, allErrors: true });
const compiled = new Map<Schema, ValidateFunction>();

/** Inlines `#/components/schemas/...` references (the document has no recursive schemas). */
function inline(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(inline);
  if (!schema || typeof schema !== 'object') return schema;
  const ref = (schema as Schema).$ref;
  if (typeof ref === 'string') return inline(document.components.schemas[ref.replace('#/components/schemas/', '')]);
  return Object.fromEntries(Object.entries(schema).map(([key, value]) => [key, inline(value)]));
}

function segments(path: string): string[] {
  return path.replace(/\/+$/, '').split('/');
}

/** The operation of a request, preferring literal segments over parameters. */
function operationFor(method: string, requestPath: string): { template: string; operation: Operation } | null {
  const actual = segments(new URL(requestPath, 'http://x').pathname);
  let best: { template: string; operation: Operation; params: number } | null = null;
  for (const [template, item] of Object.entries(document.paths)) {
    const operation = item[method.toLowerCase()];
    const expected = segments(template);
    if (!operation || expected.length !== actual.length) continue;
    let params = 0;
    const matches = expected.every((segment, index) => {
      if (/^\{\w+\}$/.test(segment)) return actual[index] !== '' && ++params > 0;
      return segment === actual[index];
    });
    if (matches && (!best || params < best.params)) best = { template, operation, params };
  }
  return best;
}

/** Why the response disagrees with the document, or null when it agrees (or is not described). */
export function openApiMismatch(method: string, path: string, status: number, contentType: string | null, body: unknown): string | null {
  const found = operationFor(method, path);
  if (!found) return null;
  const { responses } = found.operation;
  const key = [String(status), `${String(status)[0]}XX`].find((candidate) => candidate in responses) ?? (status >= 400 ? 'default' : undefined);
  const where = `${method} ${path} (${found.template}) answered ${status}`;
  if (!key || !(key in responses)) return `${where}, a status the OpenAPI document does not declare`;
  const schema = responses[key].content?.['application/json']?.schema;
  if (!schema || method === 'HEAD' || !/^application\/json/i.test(contentType ?? '')) return null;
  let validate = compiled.get(schema);
  if (!validate) compiled.set(schema, (validate = ajv.compile(inline(schema) as Schema)));
  if (validate(body)) return null;
  return `${where} with a body that does not match its schema: ${ajv.errorsText(validate.errors)}; body: ${JSON.stringify(body).slice(0, 300)}`;
}
