import type { Schema } from '@duet/core';

/**
 * A minimal Standard Schema for the bench's messages: checks that the listed fields have
 * the listed `typeof`. (The bench lists no schema library; any Standard Schema works.)
 */
export function objectSchema<T>(
  fields: Readonly<Record<keyof T & string, 'string' | 'number'>>,
): Schema<T> {
  return {
    '~standard': {
      version: 1,
      vendor: 'duet-bench',
      validate: (value) => {
        const record = value as Record<string, unknown> | null;
        const bad = Object.entries(fields).find(
          ([key, type]) =>
            typeof record !== 'object' || record === null || typeof record[key] !== type,
        );
        return bad
          ? {
              issues: [{ message: `expected ${bad[0]} to be a ${String(bad[1])}`, path: [bad[0]] }],
            }
          : { value: value as T };
      },
    },
  };
}
