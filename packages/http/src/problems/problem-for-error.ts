import {
  AuthorizationError,
  ConcurrencyError,
  DomainError,
  DuetError,
  LimitExceededError,
  RetriesExhaustedError,
  StaleReadError,
  ValidationError,
} from '@duet/core';
import { HttpProblem } from './http-problem.ts';
import { PROBLEM_FOR_CODE } from './problem-for-code.ts';
import { PROBLEM_TYPES, type ProblemName, problemTypeUri } from './problem-types.ts';

/** An RFC 9457 problem and the headers that go with it. */
export interface ProblemResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: {
    readonly type: string;
    readonly title: string;
    readonly status: number;
    readonly detail: string;
    readonly [member: string]: unknown;
  };
  /** True when the error was unexpected: log it, since the body says nothing. */
  readonly unexpected: boolean;
}

/** What the mapping needs to know about the request besides the error. */
export interface ProblemRequest {
  /** The request carried `If-Match`, so a version mismatch is a failed precondition. */
  readonly hadIfMatch: boolean;
  /** Seconds a client should wait before retrying a stale read or a busy key. */
  readonly retryAfterSeconds: number;
}

const FASTIFY_CODES: Readonly<Record<string, ProblemName>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'body-too-large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported-media-type',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'malformed-json',
  FST_ERR_CTP_INVALID_JSON_BODY: 'malformed-json',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad-request',
};

/**
 * Maps any error to one problem: each typed error's `code` to its own `type`, Fastify's
 * own refusals (body too large, bad JSON, media type) to theirs, and everything else to
 * a generic 500 whose body says nothing about the cause.
 *
 * @example
 * const problem = problemForError(new StaleReadError('MyOrders', position, 5000), request);
 * // { status: 503, headers: { 'retry-after': '1' }, body: { type: 'urn:duet:problem:stale-read', ... } }
 */
export function problemForError(error: unknown, request: ProblemRequest): ProblemResponse {
  const retryAfter = { 'retry-after': String(request.retryAfterSeconds) };
  if (error instanceof HttpProblem) {
    return build(error.problem, error.detail, error.extras.members, error.extras.headers, {
      status: error.status,
    });
  }
  if (error instanceof ValidationError) {
    const errors = error.issues.map((issue) => ({
      pointer: `/${issue.path.map((part) => String(part).replaceAll('~', '~0').replaceAll('/', '~1')).join('/')}`,
      detail: issue.message,
    }));
    return build('validation', `${error.subject} is invalid`, { errors });
  }
  if (error instanceof AuthorizationError) return build('forbidden', error.reason);
  if (error instanceof DomainError) {
    const members = { rule: error.rule, ...(error.details ? { details: error.details } : {}) };
    return build('domain-rule', error.message, members);
  }
  if (error instanceof ConcurrencyError) {
    const members = { expectedVersion: error.expected, actualVersion: error.actual };
    // RFC 9110: a failed If-Match is 412; without one the caller asked for nothing.
    return build(
      'concurrency',
      error.message,
      members,
      {},
      {
        status: request.hadIfMatch ? 412 : 409,
      },
    );
  }
  if (error instanceof RetriesExhaustedError) {
    return build(
      'concurrency-retries-exhausted',
      `${error.commandType} lost ${error.attempts} races with concurrent writers; try again`,
      {},
      retryAfter,
    );
  }
  if (error instanceof StaleReadError) {
    const members = {
      minPosition: error.minPosition,
      waitedMs: error.waitedMs,
      ...(error.reached === undefined ? {} : { reached: error.reached }),
      ...(error.tokens === undefined ? {} : { tokens: error.tokens }),
    };
    return build('stale-read', error.message, members, retryAfter);
  }
  if (error instanceof LimitExceededError) {
    return build('limit-exceeded', error.message, { limit: error.limit, max: error.max });
  }
  if (error instanceof DuetError) {
    const name = PROBLEM_FOR_CODE[error.code];
    if (name === 'consistency-unsupported') {
      return build(name, 'this server cannot wait for read models');
    }
    // A bare DuetError with a class's code: the same answer as the class's, minus the
    // members only the class carries. NOT_FOUND answers the same whether the thing is
    // missing or hidden from this caller.
    if (name === 'concurrency' && !request.hadIfMatch) {
      return build(name, error.message, {}, {}, { status: 409 });
    }
    if (name !== 'internal') return build(name, error.message);
  }
  const fastify = fastifyProblem(error);
  if (fastify) return fastify;
  return { ...build('internal', 'the server failed; the error is logged'), unexpected: true };
}

/** Fastify's own 4xx errors carry a `code` and a safe message; anything else is ours. */
function fastifyProblem(error: unknown): ProblemResponse | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, statusCode, message } = error as Record<string, unknown>;
  const name = typeof code === 'string' ? FASTIFY_CODES[code] : undefined;
  if (name) return build(name, typeof message === 'string' ? message : PROBLEM_TYPES[name].title);
  if (
    typeof code === 'string' &&
    code.startsWith('FST_') &&
    typeof statusCode === 'number' &&
    statusCode >= 400 &&
    statusCode < 500
  ) {
    return build('bad-request', String(message), {}, {}, { status: statusCode });
  }
  return undefined;
}

function build(
  name: ProblemName,
  detail: string,
  members: Readonly<Record<string, unknown>> = {},
  headers: Readonly<Record<string, string>> = {},
  override: { status?: number } = {},
): ProblemResponse {
  const { title } = PROBLEM_TYPES[name];
  const status = override.status ?? PROBLEM_TYPES[name].status;
  return {
    status,
    headers,
    body: { ...members, type: problemTypeUri(name), title, status, detail },
    unexpected: false,
  };
}
