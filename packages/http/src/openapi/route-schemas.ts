import type { JsonSchema } from '@duet/core';
import { PROBLEM_TYPES, problemTypeUri } from '../problems/problem-types.ts';

/** RFC 9457 problem details as Duet sends them. */
export const PROBLEM_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail'],
  properties: {
    type: {
      type: 'string',
      enum: Object.keys(PROBLEM_TYPES).map((name) =>
        problemTypeUri(name as keyof typeof PROBLEM_TYPES),
      ),
    },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    errors: {
      type: 'array',
      description: 'validation: each failing place, as a JSON Pointer into the input',
      items: {
        type: 'object',
        properties: { pointer: { type: 'string' }, detail: { type: 'string' } },
      },
    },
    rule: { type: 'string', description: 'domain-rule: the rule that refused the command' },
    tokens: {
      type: 'array',
      items: { type: 'string' },
      description: 'stale-read: the read tokens not taken in yet',
    },
  },
};

const DESCRIPTIONS: Readonly<Record<number, string>> = {
  400: 'Invalid input (validation, malformed-json, bad-request)',
  401: 'No valid credentials (unauthenticated)',
  403: 'Refused by a policy (forbidden)',
  404: 'Unknown command or query',
  409: 'Conflict (concurrency-retries-exhausted, idempotency-key-in-use, concurrency without If-Match)',
  410: 'Personal data for a forgotten data subject (personal-data-forgotten)',
  412: 'If-Match did not match the stream version (concurrency)',
  413: 'Too large (body-too-large, limit-exceeded)',
  415: 'Not application/json (unsupported-media-type)',
  422: 'A business rule refused it (domain-rule) or a reused idempotency key',
  429: 'Rate limited (rate-limited); see Retry-After',
  500: 'Unexpected failure (internal)',
  501: 'minPosition given but the server cannot wait for read models',
  503: 'The read model did not catch up in time (stale-read); see Retry-After',
};

/** OpenAPI response entries for the given problem statuses. */
export function problemResponses(statuses: readonly number[]): Record<string, JsonSchema> {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      {
        description: DESCRIPTIONS[status] ?? 'Problem',
        content: { 'application/problem+json': { schema: PROBLEM_SCHEMA } },
      },
    ]),
  );
}

/**
 * A definition's JSON Schema made fit for an OpenAPI 3.1 document: a copy without the
 * `$schema` keyword (the document states its dialect once). Undefined stays undefined.
 */
export function openApiSchema(schema: JsonSchema | undefined): JsonSchema {
  if (schema === undefined) return {};
  const { $schema: _dialect, ...rest } = structuredClone(schema);
  return rest;
}
