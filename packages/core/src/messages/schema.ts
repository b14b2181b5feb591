import type { StandardJSONSchemaV1, StandardSchemaV1 } from '@standard-schema/spec';
import { ValidationError, type ValidationIssue } from '../errors/validation-error.ts';

/** Any Standard Schema validator (zod 4, valibot, arktype, ...). */
export type Schema<Output = unknown> = StandardSchemaV1<unknown, Output>;
/** The type a schema produces. */
export type InferOutput<S extends Schema> = StandardSchemaV1.InferOutput<S>;
/** A JSON Schema document as a plain object. */
export type JsonSchema = Record<string, unknown>;

function toIssues(issues: readonly StandardSchemaV1.Issue[]): ValidationIssue[] {
  return issues.map((issue) => ({
    path: (issue.path ?? []).map((segment) => {
      const key = typeof segment === 'object' ? segment.key : segment;
      return typeof key === 'number' ? key : String(key);
    }),
    message: issue.message,
  }));
}

/**
 * Checks `value` against `schema` and returns the schema's output, or throws a
 * `ValidationError` naming `subject` and every failing path. Stays synchronous work when
 * the validator is (zod is), awaiting only validators that return a promise.
 *
 * @example
 * const data = await validate(PlaceOrder.schema, body, 'command PlaceOrder');
 */
export async function validate<Output>(
  schema: Schema<Output>,
  value: unknown,
  subject: string,
): Promise<Output> {
  const pending = schema['~standard'].validate(value);
  const result = pending instanceof Promise ? await pending : pending;
  if (result.issues) throw new ValidationError(subject, toIssues(result.issues));
  return result.value;
}

/**
 * The JSON Schema of a schema's output (or, with `io: 'input'`, of what it accepts: a field with a
 * default is optional there), for OpenAPI and docs. Uses the Standard JSON Schema
 * interface (zod 4 implements it); for other libraries pass `jsonSchema` on the definition.
 */
export function jsonSchemaOf(
  schema: Schema,
  target: StandardJSONSchemaV1.Target = 'draft-2020-12',
  io: 'input' | 'output' = 'output',
): JsonSchema | undefined {
  const props = schema['~standard'] as Partial<StandardJSONSchemaV1.Props>;
  return props.jsonSchema?.[io]({ target });
}
