/**
 * The TypeScript type of a JSON Schema written `as const` (the subset shared/http/schemas.ts
 * uses: objects with properties and required keys; string, integer, number, boolean and null
 * types, alone or in a list; enums). Body types are derived with it, so a schema and the type a
 * handler reads can never drift: change one and the typecheck follows.
 */
type Primitive<T> = T extends 'string'
  ? string
  : T extends 'integer' | 'number'
    ? number
    : T extends 'boolean'
      ? boolean
      : T extends 'null'
        ? null
        : unknown;

type Simplify<T> = { [K in keyof T]: T[K] } & {};

type FromProperties<P, R extends readonly string[]> = Simplify<
  { -readonly [K in keyof P as K extends R[number] ? K : never]: FromSchema<P[K]> } & {
    -readonly [K in keyof P as K extends R[number] ? never : K]?: FromSchema<P[K]>;
  }
>;

export type FromSchema<S> = S extends { enum: readonly (infer E)[] }
  ? E
  : S extends { type: 'array'; items: infer I }
    ? FromSchema<I>[]
  : S extends { type: 'object'; properties: infer P }
    ? FromProperties<P, S extends { required: infer R extends readonly string[] } ? R : []>
    : S extends { type: readonly (infer T)[] }
      ? Primitive<T>
      : S extends { type: infer T }
        ? Primitive<T>
        : unknown;
