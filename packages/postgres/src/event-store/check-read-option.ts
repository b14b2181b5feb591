import { ValidationError } from '@duet/core';

/** A whole-number read option within bounds, or `undefined` when absent; else `ValidationError`. */
export function checkReadOption(
  subject: string,
  name: string,
  value: unknown,
  min: number,
): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new ValidationError(subject, [
      { path: [name], message: `expected a whole number >= ${min}, got ${String(value)}` },
    ]);
  }
  return value;
}
