import { ValidationError, type ValidationIssue } from '../errors/validation-error.ts';
import type { CommittedPageOptions } from './committed-event-pages.ts';
import { isPosition, type Position } from './position.ts';

/**
 * The same refusals for every store's `readCommittedPage`: a bad position, limit, type
 * list or partition throws `ValidationError` before any read.
 *
 * @example
 * checkCommittedPageOptions(after, options); // then read the page
 */
export function checkCommittedPageOptions(after: Position, options: CommittedPageOptions): void {
  const issues: ValidationIssue[] = [];
  if (!isPosition(after)) issues.push({ path: ['after'], message: 'expected a position token' });
  if (!Number.isSafeInteger(options?.limit) || options.limit < 1) {
    issues.push({ path: ['limit'], message: 'expected a whole number >= 1' });
  }
  if (options?.types !== null && !Array.isArray(options?.types)) {
    issues.push({ path: ['types'], message: 'expected an array of event types, or null for all' });
  }
  const partition = options?.partition;
  if (partition !== undefined) {
    const { count, index } = partition;
    if (!Number.isSafeInteger(count) || count < 1) {
      issues.push({ path: ['partition', 'count'], message: 'expected a whole number >= 1' });
    } else if (!Number.isSafeInteger(index) || index < 0 || index >= count) {
      issues.push({ path: ['partition', 'index'], message: `expected 0 to ${count - 1}` });
    }
  }
  if (issues.length > 0) throw new ValidationError('readCommittedPage options', issues);
}
