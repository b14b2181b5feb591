import { ValidationError } from '@duet/core';
import type { SqlExecutor } from '../executor/sql-executor.ts';

// The checks every factory of this package runs on its options, so a bad option fails at
// creation with one message shape: `option <name> is invalid: <what to change>`.

/** Throws the `ValidationError` for one bad option (`a.b` paths for nested ones). */
export function failOption(option: string, message: string): never {
  throw new ValidationError(`option ${option}`, [{ path: option.split('.'), message }]);
}

/** A whole number in [min, max], or `fallback` when absent. */
export function integerOption(
  option: string,
  value: unknown,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    failOption(option, `expected a whole number from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}

/** True for something made by `createPgExecutor` or `createPGliteExecutor` (or alike). */
export function isExecutor(value: unknown): value is SqlExecutor {
  const candidate = value as Partial<SqlExecutor> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.query === 'function' &&
    typeof candidate.transaction === 'function' &&
    typeof candidate.listen === 'function' &&
    (candidate.kind === 'postgres' || candidate.kind === 'pglite')
  );
}
