/**
 * JSON text with what JSON.stringify cannot write: number literals past 2^53 or beyond a double
 * (`9007199254740993`, `1e400`), and nesting deeper than a recursive serializer could build.
 */
export class RawJson {
  constructor(readonly text: string) {}
}

export const deepArray = (depth: number) => new RawJson(`${'['.repeat(depth)}${']'.repeat(depth)}`);
export const deepObject = (depth: number) => new RawJson(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`);

/** JSON.stringify, with RawJson values written verbatim. */
export function renderJson(value: unknown, pretty = false): string {
  const raw: string[] = [];
  const text = JSON.stringify(
    value,
    (_key, item: unknown) => {
      if (item instanceof RawJson) {
        raw.push(item.text);
        return `\u0001RAW${raw.length - 1}\u0001`;
      }
      return item;
    },
    pretty ? 2 : undefined,
  );
  return (text ?? 'null').replace(/"\\u0001RAW(\d+)\\u0001"/g, (_match, index: string) => raw[Number(index)]);
}
