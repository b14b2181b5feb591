// Test support: checks a response against what the shop's OpenAPI document declares for
// its operation: a declared status and content type, and a body its schema accepts.
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { JsonSchemaSubset } from './json-schema-arbitrary.ts';

/** One operation of the document, as far as the property tests read it. */
export interface OpenApiOperation {
  readonly parameters?: readonly {
    readonly in: string;
    readonly name: string;
    readonly required?: boolean;
    readonly schema?: JsonSchemaSubset;
  }[];
  readonly requestBody?: {
    readonly content: Readonly<Record<string, { readonly schema: JsonSchemaSubset }>>;
  };
  readonly responses: Readonly<
    Record<
      string,
      { readonly content?: Readonly<Record<string, { readonly schema: JsonSchemaSubset }>> }
    >
  >;
}

/** What one response broke; empty when it kept to the document. */
export interface ResponseVerdict {
  readonly undeclaredStatus: boolean;
  readonly serverError: boolean;
  readonly validated: boolean;
  readonly violations: readonly string[];
}

// ajv-formats is CommonJS with `exports.default`: under NodeNext its default import is the
// module object, whose `default` is the plugin.
const addFormats = addFormatsModule.default;

/**
 * Compiles every response schema of a document (by operation, status and media type) once,
 * and judges responses against them.
 *
 * @example
 * const judge = createResponseJudge(document.paths);
 * judge('post', '/commands/AddItem', 200, 'application/json', '{"stream":"order-1"}');
 */
export function createResponseJudge(
  paths: Readonly<Record<string, Readonly<Record<string, OpenApiOperation>>>>,
): (method: string, path: string, status: number, media: string, body: string) => ResponseVerdict {
  // strict: false, because OpenAPI schemas carry annotations Ajv does not know (example).
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  const validators = new Map<string, ValidateFunction>();
  for (const [path, methods] of Object.entries(paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      for (const [status, response] of Object.entries(operation.responses)) {
        for (const [media, { schema }] of Object.entries(response.content ?? {})) {
          validators.set(`${method} ${path} ${status} ${media}`, ajv.compile(schema));
        }
      }
    }
  }
  return (method, path, status, media, body) => {
    const responses = paths[path]?.[method]?.responses ?? {};
    const declared = responses[String(status)] ?? responses.default;
    const violations: string[] = [];
    const serverError = status >= 500;
    if (serverError) violations.push(`a server error: ${body.slice(0, 300)}`);
    if (!declared) {
      violations.push(`status ${status} is not in the document`);
      return { undeclaredStatus: true, serverError, validated: false, violations };
    }
    if (status >= 400 && status < 500 && media !== 'application/problem+json') {
      violations.push(`a ${status} as ${media}, not application/problem+json`);
    }
    const key = `${method} ${path} ${responses[String(status)] ? status : 'default'} ${media}`;
    const validate = validators.get(key);
    if (!validate) {
      violations.push(`${media} is not declared for ${status}`);
      return { undeclaredStatus: false, serverError, validated: false, violations };
    }
    let value: unknown = body;
    if (media.endsWith('json')) {
      try {
        value = JSON.parse(body);
      } catch {
        violations.push(`not JSON: ${body.slice(0, 100)}`);
        return { undeclaredStatus: false, serverError, validated: false, violations };
      }
    }
    if (!validate(value)) {
      violations.push(
        `body ${body.slice(0, 300)} breaks the schema: ${ajv.errorsText(validate.errors)}`,
      );
    }
    return { undeclaredStatus: false, serverError, validated: true, violations };
  };
}
