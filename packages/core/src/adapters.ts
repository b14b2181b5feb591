// @duet/core/adapters: the second door, for packages that implement core's ports (an
// event store, an idempotency store). These helpers make every adapter check input and
// build positions the same way as the in-memory store; applications never need them, so
// they stay out of '@duet/core' itself.

export { checkAppend, DEFAULT_APPEND_LIMITS } from './event-store/append-limits.ts';
export { checkCommittedPageOptions } from './event-store/check-committed-page-options.ts';
export { isUuid } from './event-store/event-id.ts';
export { isExpectedVersion, matchesExpectedVersion } from './event-store/expected-version.ts';
export { makePosition, positionParts } from './event-store/position.ts';
export type {
  AppendInputContext,
  CheckedAppend,
  CheckedEvent,
} from './event-store/prepare-append-input.ts';
export { prepareAppendInput } from './event-store/prepare-append-input.ts';
export {
  checkIdempotencyInput,
  resolveIdempotencyStoreOptions,
} from './idempotency/check-idempotency-input.ts';
export { checkEventData, forgottenFieldsOf } from './personal-data/check-event-data.ts';
export { checkSubject, MAX_SUBJECT_LENGTH } from './personal-data/check-subject.ts';
export { asStoredEvent } from './personal-data/open-personal-data.ts';
export { tracedLogger } from './telemetry/duet-logger.ts';
export { type DuetInstruments, duetInstruments } from './telemetry/duet-metrics.ts';
export { batchTraceOf, startSpan } from './telemetry/in-span.ts';
