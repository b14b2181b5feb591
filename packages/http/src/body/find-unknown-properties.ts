import type { JsonSchema, ValidationIssue } from '@duet/core';

type Path = readonly (string | number)[];

// Deeper than any real command; beyond it a hostile body costs work for nothing.
const MAX_DEPTH = 64;

/**
 * Lists the properties of `value` that its JSON Schema does not declare, at any depth.
 * Runs before the schema check because a schema may strip unknown keys silently (zod's
 * default), and a client that sends `actor` or a misspelt field must hear about it.
 * Objects that declare no properties, or allow additional ones explicitly
 * (`additionalProperties: true` or a schema), are open.
 *
 * @example
 * findUnknownProperties({ sku: 'a', actor: 'x' }, { type: 'object', properties: { sku: {} } })
 * // [{ path: ['actor'], message: 'unknown property' }]
 */
export function findUnknownProperties(value: unknown, schema: JsonSchema): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  check(value, schema, schema, [], issues, 0);
  return issues;
}

function check(
  value: unknown,
  schema: unknown,
  root: JsonSchema,
  path: Path,
  issues: ValidationIssue[],
  depth: number,
): void {
  if (!isSchema(schema)) return;
  if (depth > MAX_DEPTH) {
    issues.push({ path, message: `nested deeper than ${MAX_DEPTH} levels` });
    return;
  }
  if (typeof schema.$ref === 'string') {
    check(value, resolveRef(root, schema.$ref), root, path, issues, depth + 1);
  }
  const branches = Array.isArray(schema.anyOf)
    ? schema.anyOf
    : Array.isArray(schema.oneOf)
      ? schema.oneOf
      : undefined;
  if (branches && branches.length > 0) {
    checkBranches(value, branches, root, path, issues, depth);
  }
  if (Array.isArray(value)) {
    const prefix = Array.isArray(schema.prefixItems) ? schema.prefixItems : [];
    value.forEach((item, index) => {
      const itemSchema = index < prefix.length ? prefix[index] : schema.items;
      check(item, itemSchema, root, [...path, index], issues, depth + 1);
    });
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  const shape = objectShape(schema, root);
  if (!shape) return;
  for (const [key, child] of Object.entries(value)) {
    const declared = shape.properties.filter((properties) => Object.hasOwn(properties, key));
    if (declared.length > 0) {
      for (const properties of declared) {
        check(child, properties[key], root, [...path, key], issues, depth + 1);
      }
    } else if (shape.patterns.some((pattern) => safeTest(pattern, key))) {
      // Pattern-matched keys are declared; their values are the schema check's business.
    } else if (isSchema(shape.additional)) {
      check(child, shape.additional, root, [...path, key], issues, depth + 1);
    } else if (shape.additional !== true) {
      issues.push({ path: [...path, key], message: 'unknown property' });
    }
  }
}

/** A value fits a union when it fits one branch; report the closest branch otherwise. */
function checkBranches(
  value: unknown,
  branches: readonly unknown[],
  root: JsonSchema,
  path: Path,
  issues: ValidationIssue[],
  depth: number,
): void {
  let best: ValidationIssue[] | undefined;
  for (const branch of branches) {
    const found: ValidationIssue[] = [];
    check(value, branch, root, path, found, depth + 1);
    if (found.length === 0) return;
    if (!best || found.length < best.length) best = found;
  }
  issues.push(...(best ?? []));
}

interface ObjectShape {
  readonly properties: readonly Record<string, unknown>[];
  readonly patterns: readonly string[];
  /** `true` (open), a schema for extra keys, or anything else (closed). */
  readonly additional: unknown;
}

// A command's schema is the same object on every request: its shapes are worked out once.
const shapes = new WeakMap<object, { readonly root: JsonSchema; readonly shape?: ObjectShape }>();

/** The object keywords of a schema and its `allOf` parts; undefined when it is open. */
function objectShape(schema: Record<string, unknown>, root: JsonSchema): ObjectShape | undefined {
  const known = shapes.get(schema);
  if (known?.root === root) return known.shape;
  const shape = shapeOf(schema, root);
  shapes.set(schema, shape ? { root, shape } : { root });
  return shape;
}

function shapeOf(schema: Record<string, unknown>, root: JsonSchema): ObjectShape | undefined {
  // The schema's own $ref was checked by the caller; only allOf parts are resolved here.
  const allOf = Array.isArray(schema.allOf) ? schema.allOf : [];
  const parts = [
    schema,
    ...allOf
      .map((part) =>
        isSchema(part) && typeof part.$ref === 'string' ? resolveRef(root, part.$ref) : part,
      )
      .filter(isSchema),
  ];
  const properties = parts.map((part) => part.properties).filter(isSchema);
  const patterns = parts.flatMap((part) =>
    isSchema(part.patternProperties) ? Object.keys(part.patternProperties) : [],
  );
  const additionals = parts.map((part) => part.additionalProperties);
  const declares = properties.length > 0 || additionals.some((a) => a !== undefined);
  if (!declares) return undefined;
  const open = additionals.find((a) => a === true || isSchema(a));
  return { properties, patterns, additional: open };
}

function resolveRef(root: JsonSchema, ref: string): unknown {
  if (!ref.startsWith('#')) return undefined;
  let current: unknown = root;
  for (const raw of ref.slice(1).split('/').filter(Boolean)) {
    const part = decodeURIComponent(raw).replaceAll('~1', '/').replaceAll('~0', '~');
    if (!isSchema(current) || !Object.hasOwn(current, part)) return undefined;
    current = current[part];
  }
  return current;
}

function safeTest(pattern: string, key: string): boolean {
  try {
    return new RegExp(pattern, 'u').test(key);
  } catch {
    return false;
  }
}

function isSchema(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
