/**
 * Every `code` a `DuetError` can carry, in every Duet package, declared once. Codes are
 * stable: callers (the CLI's exit codes, the HTTP problem types, your own retries) branch
 * on them, so a code is never reworded; a new failure gets a new code here.
 *
 * @example
 * import { DuetError, ErrorCode } from '@duet/core';
 * if (error instanceof DuetError && error.code === ErrorCode.CONCURRENCY) retryLater();
 */
export const ErrorCode = {
  /** The PostgreSQL store's batch came back without this append's outcome (a bug, never expected). */
  APPEND_LOST: 'APPEND_LOST',
  /** An append's expected version did not match (`ConcurrencyError`). */
  CONCURRENCY: 'CONCURRENCY',
  /** The command bus lost every retry to concurrent writers (`RetriesExhaustedError`). */
  CONCURRENCY_RETRIES_EXHAUSTED: 'CONCURRENCY_RETRIES_EXHAUSTED',
  /** A query asked for read-your-writes the bus cannot give: no waiter, or tokens its waiter cannot read. */
  CONSISTENCY_UNSUPPORTED: 'CONSISTENCY_UNSUPPORTED',
  /** A business rule refused a command (`DomainError`; the rule is in `rule`). */
  DOMAIN_RULE: 'DOMAIN_RULE',
  /** An event id is already stored with other content (`DuplicateEventError`). */
  DUPLICATE_EVENT: 'DUPLICATE_EVENT',
  /** A policy refused a command or query (`AuthorizationError`). */
  FORBIDDEN: 'FORBIDDEN',
  /** A decider produced an event its definition rejects (`InvalidEventError`). */
  INVALID_EVENT: 'INVALID_EVENT',
  /** Something was larger than a configured limit (`LimitExceededError`). */
  LIMIT_EXCEEDED: 'LIMIT_EXCEEDED',
  /** What was asked for does not exist, or is hidden from the asker (`NotFoundError`). */
  NOT_FOUND: 'NOT_FOUND',
  /** Duet's tables are missing from a schema: run `migrate` (`NotMigratedError`). */
  NOT_MIGRATED: 'NOT_MIGRATED',
  /** Another live process has the PGlite data directory open (`PGliteDirectoryInUseError` in `@duet/postgres`). */
  PGLITE_DIRECTORY_IN_USE: 'PGLITE_DIRECTORY_IN_USE',
  /** Personal data was written for a data subject that has been forgotten (`PersonalDataForgottenError`). */
  PERSONAL_DATA_FORGOTTEN: 'PERSONAL_DATA_FORGOTTEN',
  /** No projection runner has created its tables in the read-model schema. */
  NO_PROJECTION_RUNNER: 'NO_PROJECTION_RUNNER',
  /** A read model did not reach the position a query waited for (`StaleReadError`). */
  STALE_READ: 'STALE_READ',
  /** The event store was used after `close()`. */
  STORE_CLOSED: 'STORE_CLOSED',
  /** Tenant data was asked for without a tenant (`TenantRequiredError`). */
  TENANT_REQUIRED: 'TENANT_REQUIRED',
  /** A broker stream or consumer is missing or set up unlike its definition (`TransportConfigError`). */
  TRANSPORT_CONFIG: 'TRANSPORT_CONFIG',
  /** A dependency a processor needs is down (`UnavailableError`). */
  UNAVAILABLE: 'UNAVAILABLE',
  /** No handler for this command type (`UnknownMessageError`). */
  UNKNOWN_COMMAND: 'UNKNOWN_COMMAND',
  /** No definition for this event type (`UnknownMessageError`). */
  UNKNOWN_EVENT: 'UNKNOWN_EVENT',
  /** No projection (or projection version) by that name. */
  UNKNOWN_PROJECTION: 'UNKNOWN_PROJECTION',
  /** No handler for this query type (`UnknownMessageError`). */
  UNKNOWN_QUERY: 'UNKNOWN_QUERY',
  /** Input did not match its schema (`ValidationError`). */
  VALIDATION: 'VALIDATION',
} as const;

/** One of the `ErrorCode` constants: the type of `DuetError.code`. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];
