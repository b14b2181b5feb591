import {
  AuthorizationError,
  ConcurrencyError,
  DomainError,
  DuetError,
  ErrorCode,
  InvalidEventError,
  LimitExceededError,
  NotFoundError,
  RetriesExhaustedError,
  StaleReadError,
  UnknownMessageError,
  ValidationError,
} from '@duet/core';
import { describe, expect, it } from 'vitest';
import { HttpProblem } from './http-problem.ts';
import { PROBLEM_FOR_CODE } from './problem-for-code.ts';
import { problemForError } from './problem-for-error.ts';

const request = { hadIfMatch: false, retryAfterSeconds: 2 };
const position = '0000000000000001-0000000000000002';

describe('problemForError', () => {
  it.each([
    [
      new ValidationError('command X', [{ path: ['a', 0, 'b/c'], message: 'bad' }]),
      400,
      'validation',
    ],
    [new AuthorizationError('X', 'no'), 403, 'forbidden'],
    [new UnknownMessageError('command', 'X'), 404, 'unknown-command'],
    [new UnknownMessageError('query', 'X'), 404, 'unknown-query'],
    [new NotFoundError('order', 'o-1'), 404, 'not-found'],
    [new ConcurrencyError('s', 2, 3), 409, 'concurrency'],
    [
      new RetriesExhaustedError('X', 3, new ConcurrencyError('s', 2, 3)),
      409,
      'concurrency-retries-exhausted',
    ],
    [new LimitExceededError('event size', 10, 20), 413, 'limit-exceeded'],
    [new DomainError('CART_OPEN', 'already open'), 422, 'domain-rule'],
    [new DuetError(ErrorCode.CONSISTENCY_UNSUPPORTED, 'x'), 501, 'consistency-unsupported'],
    [new StaleReadError('Q', position, 100), 503, 'stale-read'],
    [new HttpProblem('rate-limited', 'slow down'), 429, 'rate-limited'],
    [
      Object.assign(new Error('x'), { code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 }),
      413,
      'body-too-large',
    ],
    [
      Object.assign(new Error('x'), { code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE', statusCode: 415 }),
      415,
      'unsupported-media-type',
    ],
    [
      Object.assign(new Error('x'), { code: 'FST_ERR_CTP_INVALID_JSON_BODY', statusCode: 400 }),
      400,
      'malformed-json',
    ],
  ])('given %s, when mapped, then status %i and type %s', (error, status, name) => {
    const problem = problemForError(error, request);
    expect(problem.status).toBe(status);
    expect(problem.body).toMatchObject({ type: `urn:duet:problem:${name}`, status });
    expect(problem.unexpected).toBe(false);
  });

  it('given a validation error, when mapped, then each failing path is a JSON Pointer', () => {
    const error = new ValidationError('command X', [{ path: ['a', 0, 'b/c'], message: 'bad' }]);
    expect(problemForError(error, request).body.errors).toEqual([
      { pointer: '/a/0/b~1c', detail: 'bad' },
    ]);
  });

  it('given a concurrency error after If-Match, when mapped, then 412 with both versions', () => {
    const problem = problemForError(new ConcurrencyError('s', 2, 3), {
      ...request,
      hadIfMatch: true,
    });
    expect(problem.status).toBe(412);
    expect(problem.body).toMatchObject({ expectedVersion: 2, actualVersion: 3 });
  });

  it('given a stale read, when mapped, then Retry-After is set', () => {
    expect(problemForError(new StaleReadError('Q', position, 100), request).headers).toEqual({
      'retry-after': '2',
    });
  });

  it('given a stale read of tokens, when mapped, then the body lists them beside Retry-After', () => {
    const tokens = ['orders@order-o-1:3'];
    const problem = problemForError(
      new StaleReadError('Q', position, 100, undefined, tokens),
      request,
    );
    expect(problem.body).toMatchObject({ minPosition: position, tokens });
    expect(problem.headers).toEqual({ 'retry-after': '2' });
    expect(
      problemForError(new StaleReadError('Q', position, 100), request).body,
    ).not.toHaveProperty('tokens');
  });

  it('given an event the decider got wrong, when mapped, then 500 that shows none of its fields', () => {
    const cause = new ValidationError('event ItemRemoved', [
      { path: ['unitPriceCents'], message: 'required' },
    ]);
    const problem = problemForError(new InvalidEventError('RemoveItem', 'order-1', cause), request);
    expect(problem.status).toBe(500);
    expect(problem.body.type).toBe('urn:duet:problem:internal');
    expect(JSON.stringify(problem.body)).not.toContain('unitPriceCents');
  });

  it('given an unexpected error with SQL in it, when mapped, then 500 says nothing about it', () => {
    const error = new Error('relation "secret_table" does not exist at /srv/app/db.ts:12');
    const problem = problemForError(error, request);
    expect(problem).toMatchObject({ status: 500, unexpected: true });
    expect(JSON.stringify(problem.body)).not.toMatch(/secret_table|\/srv|db\.ts/);
  });
});

describe('problemForError over every ErrorCode', () => {
  // Server faults and set-up mistakes: a 500 that says nothing, on purpose (see
  // PROBLEM_FOR_CODE). Adding a code to core means deciding here which side it is on.
  const leftTo500 = new Set<ErrorCode>([
    ErrorCode.APPEND_LOST,
    ErrorCode.INVALID_EVENT,
    ErrorCode.NOT_MIGRATED,
    ErrorCode.NO_PROJECTION_RUNNER,
    ErrorCode.PGLITE_DIRECTORY_IN_USE,
    ErrorCode.STORE_CLOSED,
    ErrorCode.TRANSPORT_CONFIG,
    ErrorCode.UNAVAILABLE,
    ErrorCode.UNKNOWN_EVENT,
    ErrorCode.UNKNOWN_PROJECTION,
  ]);

  it.each(Object.values(ErrorCode))(
    'given a DuetError coded %s, when mapped, then its own problem type or a deliberate 500',
    (code) => {
      const problem = problemForError(new DuetError(code, 'x'), request);
      if (leftTo500.has(code)) {
        expect(problem).toMatchObject({ status: 500, unexpected: true });
        expect(problem.body.type).toBe('urn:duet:problem:internal');
      } else {
        expect(problem.unexpected).toBe(false);
        expect(problem.status).toBeLessThan(600);
        expect(problem.body.type).toBe(`urn:duet:problem:${PROBLEM_FOR_CODE[code]}`);
        expect(problem.body.type).not.toBe('urn:duet:problem:internal');
      }
    },
  );
});
