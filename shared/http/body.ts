/**
 * JSON bodies validated the way Quay's validate_json_request does, by Ajv validators compiled ahead
 * of time from shared/http/schemas.ts (no schema compiler in the functions).
 */
import type { ErrorObject } from 'ajv';
import { parseBoundedJson } from '../domain/limits.js';
import { pythonRepr } from '../domain/quay-format.js';
import { quay } from './errors.js';
import type { ApiRequest } from './pipeline.js';
import type { BodySchemaName, BodyTypes } from './schemas.js';
import * as validators from './validators.generated.js';

/** jsonschema-like text for the first error (Quay returns str(ValidationError)). */
function describe(error: ErrorObject, body: unknown): string {
  const path = error.instancePath.split('/').filter(Boolean);
  let value: unknown = body;
  for (const segment of path) value = (value as Record<string, unknown> | undefined)?.[segment];
  const where = path.length ? ` in body[${path.map((segment) => `'${segment}'`).join('][')}]` : '';
  switch (error.keyword) {
    case 'type': {
      const types = ([] as string[]).concat(error.params.type as string | string[]);
      return `${pythonRepr(value)} is not of type ${types.map((type) => `'${type}'`).join(', ')}${where}`;
    }
    case 'enum':
      return `${pythonRepr(value)} is not one of ${pythonRepr(error.params.allowedValues)}${where}`;
    case 'required':
      return `'${error.params.missingProperty}' is a required property`;
    case 'maxLength':
      // jsonschema's wording; the value itself is not echoed back, it may be megabytes long.
      return `The value is too long (at most ${error.params.limit as number} characters)${where}`;
    default:
      return `${pythonRepr(value)} ${error.message ?? 'is not valid'}${where}`;
  }
}

/**
 * The request's JSON body, validated. Missing or null → 400 "Missing JSON body"; unparseable or
 * nested deeper than MAX_JSON_DEPTH → Flask's generic 400; schema failure → 400 InvalidRequest with
 * the validator's message.
 */
export function jsonBody<Name extends BodySchemaName>(request: ApiRequest, schema: Name): BodyTypes[Name] {
  const validate = validators[schema];
  const text = request.body ? new TextDecoder().decode(request.body) : '';
  if (text.trim() === '') throw quay.invalidRequest('Missing JSON body');
  let parsed: unknown;
  try {
    const bounded = parseBoundedJson(text);
    if (!bounded) throw quay.badRequest();
    parsed = bounded.value;
  } catch {
    throw quay.badRequest();
  }
  if (parsed === null) throw quay.invalidRequest('Missing JSON body');
  if (!validate(parsed)) throw quay.invalidRequest(describe(validate.errors![0], parsed));
  return parsed as BodyTypes[Name];
}

/** Whether the parsed body carries `key` (Quay distinguishes absent from null). */
export function has(body: object, key: string): boolean {
  return Object.hasOwn(body, key);
}
