import type { ErrorCode } from '@duet/core';
import type { ProblemName } from './problem-types.ts';

/**
 * The problem each `DuetError` code is answered with. Typed as a record over every
 * `ErrorCode`, so a code added to core does not compile here until someone decides what
 * HTTP says about it.
 *
 * `internal` is a decision, not a gap: those codes are server faults or set-up mistakes
 * (a lost append, a store used after close, an unmigrated schema, a decider that emits
 * an invalid event, a projection the server does not run, a dependency that is down, a
 * broker set up unlike its definition, a PGlite directory another process holds), and
 * the caller gets a 500 whose body says nothing about them; the server logs the cause.
 *
 * @example
 * PROBLEM_FOR_CODE[ErrorCode.NOT_FOUND] // 'not-found'
 */
export const PROBLEM_FOR_CODE = {
  APPEND_LOST: 'internal',
  CONCURRENCY: 'concurrency',
  CONCURRENCY_RETRIES_EXHAUSTED: 'concurrency-retries-exhausted',
  CONSISTENCY_UNSUPPORTED: 'consistency-unsupported',
  DOMAIN_RULE: 'domain-rule',
  DUPLICATE_EVENT: 'duplicate-event',
  FORBIDDEN: 'forbidden',
  INVALID_EVENT: 'internal',
  LIMIT_EXCEEDED: 'limit-exceeded',
  NOT_FOUND: 'not-found',
  NOT_MIGRATED: 'internal',
  NO_PROJECTION_RUNNER: 'internal',
  PERSONAL_DATA_FORGOTTEN: 'personal-data-forgotten',
  PGLITE_DIRECTORY_IN_USE: 'internal',
  STALE_READ: 'stale-read',
  STORE_CLOSED: 'internal',
  TENANT_REQUIRED: 'tenant-required',
  TRANSPORT_CONFIG: 'internal',
  UNAVAILABLE: 'internal',
  UNKNOWN_COMMAND: 'unknown-command',
  UNKNOWN_EVENT: 'internal',
  UNKNOWN_PROJECTION: 'internal',
  UNKNOWN_QUERY: 'unknown-query',
  VALIDATION: 'validation',
} as const satisfies Readonly<Record<ErrorCode, ProblemName>>;
