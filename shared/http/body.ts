/**
 * JSON bodies: parsed in the pipeline by @middy/http-json-body-parser (on routes declaring
 * `jsonBody`), validated the way Quay's validate_json_request does by Ajv validators compiled ahead
 * of time from shared/http/schemas.ts (no schema compiler in the functions). A body the parser
 * refuses (its 415 for a missing or malformed body) is answered with Quay's exact 400s, and only
 * when the handler reads the body: Quay checks permissions before it looks at the body.
 */
import httpJsonBodyParser from '@middy/http-json-body-parser';
import type { ErrorObject } from 'ajv';
import { jsonDepthExceeds } from '../domain/limits.js';
import { pythonRepr } from '../domain/quay-format.js';
import { quay } from './errors.js';
import type { HttpError } from './errors.js';
import type { ApiRequest, Middleware, MiddyRequest } from './pipeline.js';
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

/** What the parser made of the body: the parsed value, or the 400 to answer when the handler reads it. */
export type ParsedBody = { value: unknown } | { refused: HttpError };

/** Quay's answers where the parser refuses: no body at all, or bytes that are not JSON. */
function refusal(request: ApiRequest): HttpError {
  const text = request.body ? new TextDecoder().decode(request.body) : '';
  return text.trim() === '' ? quay.invalidRequest('Missing JSON body') : quay.badRequest();
}

/**
 * Runs @middy/http-json-body-parser on a copy of the event (the handler keeps the raw bytes) and
 * keeps its outcome on the request. Quay reads the body as JSON whatever its content type, so the
 * copy is labelled JSON for the parser.
 */
export function jsonBodyParsing(): Middleware {
  const parser = httpJsonBodyParser();
  return {
    before: async function parseJsonBody(request: MiddyRequest) {
      const apiRequest = request.context.apiRequest as ApiRequest;
      // Bounded before anything recursive (the parser, the validator, a later serializer) sees it.
      if (apiRequest.body && jsonDepthExceeds(new TextDecoder().decode(apiRequest.body))) {
        apiRequest.json = { refused: quay.badRequest() };
        return;
      }
      const copy = { ...request, event: { ...request.event, headers: { ...request.event.headers, 'content-type': 'application/json' } } };
      try {
        await parser.before!(copy as never);
        apiRequest.json = { value: copy.event.body as unknown };
      } catch {
        apiRequest.json = { refused: refusal(apiRequest) };
      }
    },
  };
}

/**
 * The request's JSON body, validated. Missing or null → 400 "Missing JSON body"; unparseable or
 * nested deeper than MAX_JSON_DEPTH → Flask's generic 400; schema failure → 400 InvalidRequest with
 * the validator's message.
 */
export function jsonBody<Name extends BodySchemaName>(request: ApiRequest, schema: Name): BodyTypes[Name] {
  if (!request.json) throw new Error('jsonBody on a route that does not declare jsonBody');
  if ('refused' in request.json) throw request.json.refused;
  const parsed = request.json.value;
  const validate = validators[schema];
  if (parsed === null) throw quay.invalidRequest('Missing JSON body');
  if (!validate(parsed)) throw quay.invalidRequest(describe(validate.errors![0], parsed));
  return parsed as BodyTypes[Name];
}

/**
 * The request's body if it is valid, else null, answering nothing: for reads started alongside the
 * authorization, before the checks (jsonBody) that answer a bad body in Quay's order.
 */
export function validJsonBodyOrNull<Name extends BodySchemaName>(request: ApiRequest, schema: Name): BodyTypes[Name] | null {
  try {
    return request.json ? jsonBody(request, schema) : null;
  } catch {
    return null;
  }
}

/** Whether the parsed body carries `key` (Quay distinguishes absent from null); narrows it to present. */
export function has<Body extends object, Key extends keyof Body & string>(
  body: Body,
  key: Key,
): body is Body & { [K in Key]-?: Exclude<Body[K], undefined> } {
  return Object.hasOwn(body, key);
}
