// @duet/core/testing: conformance suites and given/when/then kits for users' tests.

// -- idempotency store conformance --
export type { IdempotencyStoreConformanceOptions } from '../idempotency/idempotency-store-conformance.ts';
export { runIdempotencyStoreConformance } from '../idempotency/idempotency-store-conformance.ts';
// -- checkpoint store conformance --
export type { CheckpointStoreConformanceOptions } from './checkpoint-store-conformance.ts';
export { runCheckpointStoreConformance } from './checkpoint-store-conformance.ts';
// -- what a conformance suite's create gives --
export type { CreatedStore } from './conformance/suite-store.ts';
// -- decider test kit --
export type {
  DeciderSpec,
  DeciderSpecThen,
  DeciderSpecWhen,
  ErrorClass,
  ExpectedError,
} from './decider-spec.ts';
export { deciderSpec } from './decider-spec.ts';

// -- event store conformance --
export type { EventStoreConformanceOptions } from './event-store-conformance.ts';
export { runEventStoreConformance } from './event-store-conformance.ts';
// -- inbox conformance --
export type { InboxConformanceOptions } from './inbox-conformance.ts';
export { runInboxConformance } from './inbox-conformance.ts';
// -- personal data keys conformance --
export type { PersonalDataKeysConformanceOptions } from './personal-data-keys-conformance.ts';
export { runPersonalDataKeysConformance } from './personal-data-keys-conformance.ts';
// -- snapshot store conformance --
export type { SnapshotStoreConformanceOptions } from './snapshot-store-conformance.ts';
export { runSnapshotStoreConformance } from './snapshot-store-conformance.ts';
// -- transport conformance --
export type { TransportConformanceOptions } from './transport-conformance.ts';
export { runTransportConformance } from './transport-conformance.ts';
