import type { ValidationIssue } from '@duet/core';

// With the `u` flag a well-formed surrogate pair is one code point, so `\p{Cs}` matches
// only a lone half.
const UNSTORABLE = /[\0\p{Cs}]/u;

/**
 * Lists every string in `value` (property names included, at any depth) that no store can
 * keep: a NUL (PostgreSQL text cannot hold U+0000) or a lone UTF-16 surrogate (not
 * Unicode, so not UTF-8). Both reach a server as JSON escapes (`"\u0000"`, `"\ud800"`) or
 * as `%00` in a URL, and must be refused at the edge rather than fail in the store.
 * Walks with its own stack, so a deeply nested body cannot overflow the call stack.
 *
 * @example
 * findUnstorableText({ sku: 'a\u0000', tags: ['ok', '\ud800'] })
 * // [{ path: ['sku'], message: 'contains a NUL character (U+0000)' },
 * //  { path: ['tags', 1], message: 'contains a lone UTF-16 surrogate (not Unicode text)' }]
 */
export function findUnstorableText(value: unknown): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  // Popped in document order: children are pushed last to first. A bad property name is
  // queued as its issue, in its place, and its value is not walked. Paths are links to the
  // parent, spelt out only for an issue: copying them per level costs depth squared.
  const pending: Step[] = [{ value, at: undefined }];
  for (let step = pending.pop(); step !== undefined; step = pending.pop()) {
    if ('issue' in step) {
      issues.push({ path: pathOf(step.at), message: step.issue });
      continue;
    }
    const { value: current, at } = step;
    if (typeof current === 'string') {
      const problem = describe(current);
      if (problem) issues.push({ path: pathOf(at), message: problem });
    } else if (Array.isArray(current)) {
      for (let key = current.length - 1; key >= 0; key--) {
        pending.push({ value: current[key], at: { parent: at, key } });
      }
    } else if (typeof current === 'object' && current !== null) {
      const entries = Object.entries(current);
      for (let index = entries.length - 1; index >= 0; index--) {
        const [key, item] = entries[index] as [string, unknown];
        const problem = describe(key);
        const link = { parent: at, key };
        pending.push(
          problem ? { issue: `its name ${problem}`, at: link } : { value: item, at: link },
        );
      }
    }
  }
  return issues;
}

interface Link {
  readonly parent: Link | undefined;
  readonly key: string | number;
}

type Step =
  | { readonly value: unknown; readonly at: Link | undefined }
  | { readonly issue: string; readonly at: Link };

function pathOf(at: Link | undefined): (string | number)[] {
  const path: (string | number)[] = [];
  for (let link = at; link !== undefined; link = link.parent) path.push(link.key);
  return path.reverse();
}

function describe(text: string): string | undefined {
  const found = UNSTORABLE.exec(text)?.[0];
  if (found === undefined) return undefined;
  return found === '\0'
    ? 'contains a NUL character (U+0000)'
    : 'contains a lone UTF-16 surrogate (not Unicode text)';
}
