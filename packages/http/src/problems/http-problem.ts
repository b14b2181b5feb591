import { PROBLEM_TYPES, type ProblemName } from './problem-types.ts';

/**
 * A refusal decided at the HTTP edge itself (no credentials, a reused idempotency key...),
 * thrown from a hook or handler and turned into `application/problem+json` like any
 * typed error.
 */
export class HttpProblem extends Error {
  override readonly name = 'HttpProblem';
  readonly status: number;
  constructor(
    readonly problem: ProblemName,
    readonly detail: string,
    readonly extras: {
      readonly headers?: Readonly<Record<string, string>>;
      readonly members?: Readonly<Record<string, unknown>>;
      readonly status?: number;
    } = {},
  ) {
    super(detail);
    this.status = extras.status ?? PROBLEM_TYPES[problem].status;
  }
}
