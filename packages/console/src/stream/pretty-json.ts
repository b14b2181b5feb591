// Decider states may hold Maps, Sets and bigints, which JSON.stringify drops or refuses.
const replacer = (_key: string, value: unknown) =>
  value instanceof Map
    ? Object.fromEntries(value)
    : value instanceof Set
      ? [...value]
      : typeof value === 'bigint'
        ? value.toString()
        : value;

/** A value as plain JSON data (Maps as objects, Sets as arrays), for diffing and showing. */
export function toJsonData(value: unknown): unknown {
  const text = JSON.stringify(value, replacer);
  return text === undefined ? null : JSON.parse(text);
}

/** Indented JSON text of a value. */
export const prettyJson = (value: unknown): string => JSON.stringify(toJsonData(value), null, 2);
