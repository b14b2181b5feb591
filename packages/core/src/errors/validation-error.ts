import { DuetError } from './duet-error.ts';
import { ErrorCode } from './error-code.ts';

/** One failing place in a value: a path from the root and what is wrong there. */
export interface ValidationIssue {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/**
 * Input did not match its schema (a command, an event, query parameters, an option).
 *
 * @example
 * catch (e) { if (e instanceof ValidationError) console.log(e.issues.map((i) => i.path.join('.'))) }
 */
export class ValidationError extends DuetError {
  override readonly name = 'ValidationError';
  constructor(
    /** What was being checked, e.g. `command PlaceOrder` or `option batchSize`. */
    readonly subject: string,
    readonly issues: readonly ValidationIssue[],
  ) {
    super(
      ErrorCode.VALIDATION,
      `${subject} is invalid: ${issues
        .map(
          (issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`,
        )
        .join('; ')}`,
    );
  }
}
