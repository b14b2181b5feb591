// @duet/core: the public API. Test support (conformance suites, given/when/then) is in
// '@duet/core/testing'; helpers for adapters that implement the ports are in
// '@duet/core/adapters'.

export type { Decider, DecisionContext } from './decider/decider.ts';
export { foldEvents } from './decider/decider.ts';
export type { PointInTime } from './decider/state-at.ts';
export { stateAt } from './decider/state-at.ts';
export { AuthorizationError } from './errors/authorization-error.ts';
export { ConcurrencyError } from './errors/concurrency-error.ts';
export { DomainError } from './errors/domain-error.ts';
export { DuetError } from './errors/duet-error.ts';
export { DuplicateEventError } from './errors/duplicate-event-error.ts';
export { ErrorCode } from './errors/error-code.ts';
export { InvalidEventError } from './errors/invalid-event-error.ts';
export { LimitExceededError } from './errors/limit-exceeded-error.ts';
export { NotFoundError } from './errors/not-found-error.ts';
export { PersonalDataForgottenError } from './errors/personal-data-forgotten-error.ts';
export { RetriesExhaustedError } from './errors/retries-exhausted-error.ts';
export { StaleReadError } from './errors/stale-read-error.ts';
export { TenantRequiredError } from './errors/tenant-required-error.ts';
export { TransportConfigError } from './errors/transport-config-error.ts';
export { UnavailableError } from './errors/unavailable-error.ts';
export { UnknownMessageError } from './errors/unknown-message-error.ts';
export { ValidationError, type ValidationIssue } from './errors/validation-error.ts';
export type { AppendLimits } from './event-store/append-limits.ts';
export type { CheckpointStore } from './event-store/checkpoint-store.ts';
export type {
  CommitSignal,
  CommittedEventPages,
  CommittedPage,
  CommittedPageOptions,
  EventPartition,
} from './event-store/committed-event-pages.ts';
export { newEventId } from './event-store/event-id.ts';
export type {
  AppendIdempotencyKey,
  AppendOptions,
  AppendResult,
  EventStore,
  ReadAllOptions,
  ReadStreamOptions,
  StreamInfo,
  SubscribeOptions,
} from './event-store/event-store.ts';
export type { ExpectedVersion } from './event-store/expected-version.ts';
export type { Position } from './event-store/position.ts';
export {
  comparePositions,
  isPosition,
  START_POSITION,
  toPosition,
} from './event-store/position.ts';
export type {
  EventEnvelope,
  EventMetadata,
  EventMetadataInput,
  NewEvent,
  RecordedEvent,
} from './event-store/recorded-event.ts';
export type { Snapshot, SnapshotStore } from './event-store/snapshot-store.ts';
export type { StreamName } from './event-store/stream-name.ts';
export {
  categoryOf,
  isStreamName,
  MAX_STREAM_NAME_LENGTH,
  streamName,
  toStreamName,
} from './event-store/stream-name.ts';
export type { CommandDefinition, CommandOf } from './messages/define-command.ts';
export { defineCommand } from './messages/define-command.ts';
export type { EventDefinition, EventOf, EventOptions, Upcaster } from './messages/define-event.ts';
export { defineEvent } from './messages/define-event.ts';
export type { QueryDefinition, QueryParamsOf, QueryResultOf } from './messages/define-query.ts';
export { defineQuery } from './messages/define-query.ts';
export type { EventRegistry, EventRegistryOptions } from './messages/event-registry.ts';
export { createEventRegistry } from './messages/event-registry.ts';
export type { Message } from './messages/message.ts';
export type { InferOutput, JsonSchema, Schema } from './messages/schema.ts';
export { jsonSchemaOf, validate } from './messages/schema.ts';

// -- command and query buses --

export type {
  CommandBus,
  CommandBusOptions,
  CommandContext,
  CommandEnvelope,
  CommandHandler,
  CommandMiddleware,
  CommandPolicy,
  CommandResult,
  SnapshotPolicy,
} from './command-bus/command-bus.ts';
export { createCommandBus } from './command-bus/create-command-bus.ts';
export type { CommandHandlerOptions } from './command-bus/define-command-handler.ts';
export { defineCommandHandler } from './command-bus/define-command-handler.ts';
export { createQueryBus } from './query-bus/create-query-bus.ts';
export { defineQueryHandler } from './query-bus/define-query-handler.ts';
export type {
  ConsistencyRequest,
  ConsistencyWaiter,
  QueryBus,
  QueryBusOptions,
  QueryContext,
  QueryHandler,
  QueryPolicy,
} from './query-bus/query-bus.ts';
export { MAX_READ_TOKEN_LENGTH, MAX_READ_TOKENS } from './query-bus/resolve-consistency.ts';

// -- in-memory adapters --

export { createInMemoryCheckpointStore } from './in-memory/in-memory-checkpoint-store.ts';
export type { InMemoryEventStore } from './in-memory/in-memory-event-store.ts';
export { createInMemoryEventStore } from './in-memory/in-memory-event-store.ts';
export type { InMemoryEventStoreOptions } from './in-memory/in-memory-event-store-options.ts';
export { createInMemorySnapshotStore } from './in-memory/in-memory-snapshot-store.ts';

// -- processors: projections, reactors, relays --

export type { ProcessorOptions } from './processor/check-processor-options.ts';
export type { ReactorOptions } from './processor/define-reactor.ts';
export { defineReactor } from './processor/define-reactor.ts';
export type {
  FailurePolicy,
  ProcessorBase,
  ProcessorDefinition,
  ProjectionDefinition,
  ProjectionTables,
  ProjectionTx,
  ReactorContext,
  ReactorDefinition,
  RelayDefinition,
} from './processor/processor-definition.ts';
export { defineProjection } from './projection/define-projection.ts';
export type { ProjectionOptions } from './projection/projection-definition.ts';

// -- personal data: fields sealed per data subject, forgotten by deleting the key --

export { createInMemoryPersonalDataKeys } from './personal-data/in-memory-personal-data-keys.ts';
export {
  openData,
  openPersonalEvents,
  openPersonalStream,
  subjectsIn,
} from './personal-data/open-personal-data.ts';
export type { SealedField } from './personal-data/personal-data-envelope.ts';
export { isSealedField } from './personal-data/personal-data-envelope.ts';
export type { PersonalDataForgottenData } from './personal-data/personal-data-forgotten.ts';
export {
  PersonalDataForgotten,
  personalDataStream,
} from './personal-data/personal-data-forgotten.ts';
export type { ForgetResult, PersonalDataKeys } from './personal-data/personal-data-keys.ts';
export type { PersonalFields, PersonalFieldsDefinition } from './personal-data/personal-fields.ts';
export { FORGOTTEN } from './personal-data/personal-fields.ts';
export type { PersonalDataOptions } from './personal-data/seal-personal-data.ts';
export { sealData, sealPersonalEvents } from './personal-data/seal-personal-data.ts';
export { withPersonalData } from './personal-data/with-personal-data.ts';

// -- idempotency --

export { MAX_IDEMPOTENCY_KEY_LENGTH } from './idempotency/check-idempotency-input.ts';
export type {
  IdempotencyClaim,
  IdempotencyClaimOptions,
  IdempotencyStore,
  IdempotencyStoreOptions,
} from './idempotency/idempotency-store.ts';
export {
  DEFAULT_IDEMPOTENCY_LOCK_MS,
  DEFAULT_IDEMPOTENCY_TTL_MS,
} from './idempotency/idempotency-store.ts';
export type { InMemoryIdempotencyStoreOptions } from './idempotency/in-memory-idempotency-store.ts';
export { createInMemoryIdempotencyStore } from './idempotency/in-memory-idempotency-store.ts';

// -- messaging between services: contracts, transport, relay, consumers, inbox --

export type { AsyncApiOptions } from './messaging/asyncapi-document.ts';
export { asyncApiDocument } from './messaging/asyncapi-document.ts';
export type {
  ConsumerContext,
  IntegrationConsumer,
  IntegrationConsumerOptions,
} from './messaging/create-integration-consumer.ts';
export { createIntegrationConsumer } from './messaging/create-integration-consumer.ts';
export type { RelayOptions } from './messaging/create-relay.ts';
export { createRelay } from './messaging/create-relay.ts';
export type { Contracts } from './messaging/define-contracts.ts';
export { defineContracts } from './messaging/define-contracts.ts';
export type {
  IntegrationDataOf,
  IntegrationEventDefinition,
  IntegrationEventOptions,
} from './messaging/define-integration-event.ts';
export { defineIntegrationEvent } from './messaging/define-integration-event.ts';
export { createInMemoryInbox } from './messaging/in-memory-inbox.ts';
export type { InProcessTransportOptions } from './messaging/in-process-transport.ts';
export { createInProcessTransport } from './messaging/in-process-transport.ts';
export type { Inbox, InboxEntry, InboxOutcome } from './messaging/inbox.ts';
export type { IntegrationMessage, IntegrationMetadata } from './messaging/integration-message.ts';
export { fromTransportMessage, toTransportMessage } from './messaging/integration-message.ts';
export type {
  MessageStreamDefinition,
  MessageStreamOptions,
  StreamRetention,
} from './messaging/message-stream.ts';
export { defineMessageStream } from './messaging/message-stream.ts';
export type { ReadToken } from './messaging/read-token.ts';
export { formatReadToken, parseReadToken } from './messaging/read-token.ts';
export type { DeadLetterSelection } from './messaging/republish-dead-letters.ts';
export { republishDeadLetters } from './messaging/republish-dead-letters.ts';
export { subjectMatches } from './messaging/subject-matches.ts';
export {
  noTenantToken,
  tenantFilter,
  tenantTokenOf,
  withoutTenant,
  withTenant,
} from './messaging/tenant-subject.ts';
export type {
  ConsumerSpec,
  DeadLetteredMessage,
  Delivery,
  PublishAck,
  Transport,
  TransportMessage,
} from './messaging/transport.ts';
export type { DuetLogger } from './telemetry/duet-logger.ts';
export { inSpan, type SpanOptions } from './telemetry/in-span.ts';
export {
  contextOfTraceFields,
  type TraceFields,
  traceFieldsOf,
} from './telemetry/trace-context.ts';
export {
  checkTenant,
  currentTenantScope,
  inTenant,
  inTenantOf,
  runAsSystem,
  runInTenant,
  type TenantScope,
  tenantScopeKey,
} from './tenancy/tenant-scope.ts';
