import {
  trace as otelTrace,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
} from '@opentelemetry/api';
import { UnavailableError } from '../errors/unavailable-error.ts';
import { UnknownMessageError } from '../errors/unknown-message-error.ts';
import { ValidationError } from '../errors/validation-error.ts';
import type { EventStore } from '../event-store/event-store.ts';
import type { RecordedEvent } from '../event-store/recorded-event.ts';
import { validate } from '../messages/schema.ts';
import type { PersonalDataKeys } from '../personal-data/personal-data-keys.ts';
import { sealMessageData } from '../personal-data/seal-message-data.ts';
import { checkProcessorOptions } from '../processor/check-processor-options.ts';
import type { FailurePolicy, RelayDefinition } from '../processor/processor-definition.ts';
import { type DuetLogger, tracedLogger } from '../telemetry/duet-logger.ts';
import { duetInstruments } from '../telemetry/duet-metrics.ts';
import { startSpan } from '../telemetry/in-span.ts';
import { contextOfTraceFields, traceFieldsOf } from '../telemetry/trace-context.ts';
import { inTenantOf } from '../tenancy/tenant-scope.ts';
import type { Contracts } from './define-contracts.ts';
import { type IntegrationMessage, toTransportMessage } from './integration-message.ts';
import type { Transport } from './transport.ts';

/** What `createRelay` takes. */
export interface RelayOptions {
  /** The service's published contracts: the relay reads the domain events they map from. */
  readonly contracts: Contracts;
  readonly transport: Transport;
  /** The service's event store: where a stream's previously published version is looked up after a restart. */
  readonly store: Pick<EventStore, 'readStream'>;
  /** Default `relay_<service>` (lower case, `-` as `_`). */
  readonly name?: string;
  /** Default 1. Each partition publishes its streams in order; one is enough for most services. */
  readonly partitions?: number;
  /**
   * An event whose mapping throws or whose contract rejects the data (never a broker
   * outage, which is waited out). Default `'stop'`: a contract is not silently skipped.
   */
  readonly onFailure?: FailurePolicy;
  /**
   * Where it logs a publish the broker refused or did not acknowledge (warn; the runner
   * publishes the batch again), with the batch span's `trace_id` and `span_id` (default none).
   */
  readonly logger?: DuetLogger;
  /**
   * The publishing service's personal data keys: contracts with `personal` fields are
   * published with those fields sealed (required when any contract has them).
   */
  readonly personalData?: { readonly keys: PersonalDataKeys };
}

// Streams remembered with their last published version; older entries are forgotten.
const rememberedStreams = 10_000;

/**
 * The relay: a processor that reads a service's committed events in order and publishes
 * the integration events they map to, with the event id as the broker's de-duplication id
 * (`Nats-Msg-Id`). The runner moves its checkpoint only after every publish is
 * acknowledged, so a crash in between republishes, and the broker drops the duplicates.
 * Each message carries its stream's previous published version, so consumers apply a
 * stream's messages in order whatever order they arrive in.
 *
 * @example
 * const relay = createRelay({ contracts: ordersContracts, transport, store });
 * await using processors = openProcessors({ store: { executor }, processors: [relay] });
 */
export function createRelay(options: RelayOptions): RelayDefinition {
  const { contracts, transport, store } = options;
  const base = checkProcessorOptions('relay', {
    name: options.name ?? `relay_${contracts.service.toLowerCase().replaceAll('-', '_')}`,
    events: contracts.domainTypes,
    ...(options.partitions === undefined ? {} : { partitions: options.partitions }),
    ...(options.onFailure === undefined ? {} : { onFailure: options.onFailure }),
  });
  const log = tracedLogger(options.logger, `relay ${base.name} option logger`);
  const keys = options.personalData?.keys;
  const personal = contracts.events.find((contract) => contract.personal !== undefined);
  if (personal && typeof keys?.keyFor !== 'function') {
    throw new TypeError(
      `relay ${base.name}: contract ${personal.subject} has personal fields; pass personalData: { keys }`,
    );
  }
  const published = new Map<string, number>();

  const remember = (stream: string, version: number) => {
    published.delete(stream);
    published.set(stream, version);
    if (published.size > rememberedStreams) {
      published.delete(published.keys().next().value as string);
    }
  };

  // Events of a stream arrive in version order (one partition owns a stream), so a remembered
  // version below this one is its predecessor; otherwise (a restart, a retried batch) look it up.
  const previousVersion = async (event: RecordedEvent): Promise<number> => {
    const known = published.get(event.stream);
    if (known !== undefined && known < event.streamVersion) return known;
    if (event.streamVersion === 1) return 0;
    for await (const earlier of store.readStream(event.stream, {
      direction: 'backward',
      fromVersion: event.streamVersion - 1,
    })) {
      if (contracts.forDomainType(earlier.type)) return earlier.streamVersion;
    }
    return 0;
  };

  const toMessage = async (event: RecordedEvent): Promise<IntegrationMessage> => {
    const contract = contracts.forDomainType(event.type);
    if (!contract) {
      throw new UnknownMessageError('event', event.type);
    }
    const what = `integration event ${contract.subject} from ${event.type} ${event.id}`;
    const checked = await validate(contract.schema, contract.map(event), what);
    // Personal fields leave sealed: the broker's stream never holds them in plain text.
    const data =
      contract.personal && keys
        ? await inTenantOf(event, () =>
            sealMessageData(contract.personal!, checked, event.id, keys, what),
          )
        : checked;
    const { metadata } = event;
    const pick = (key: string) =>
      typeof metadata[key] === 'string' ? (metadata[key] as string) : undefined;
    const message: IntegrationMessage = {
      id: event.id,
      service: contract.service,
      type: contract.name,
      subject: contract.subject,
      version: contract.version,
      stream: event.stream,
      streamVersion: event.streamVersion,
      previousVersion: await previousVersion(event),
      position: event.position,
      occurredAt: metadata.timestamp,
      data,
      metadata: Object.fromEntries(
        [
          ['correlationId', pick('correlationId')],
          ['causationId', event.id],
          ['actor', pick('actor')],
          ['tenant', pick('tenant')],
          ['traceparent', pick('traceparent')],
          ['tracestate', pick('tracestate')],
        ].filter(([, value]) => value !== undefined),
      ),
    };
    remember(event.stream, event.streamVersion);
    return message;
  };

  return {
    kind: 'relay',
    ...base,
    async publish(events, { signal }) {
      const messages = [];
      const spans: Span[] = [];
      for (const event of events) {
        const message = await toMessage(event);
        // A PRODUCER span per message in the event's trace; the consumer continues it.
        const span = startSpan(`send ${message.subject}`, {
          kind: SpanKind.PRODUCER,
          parent: contextOfTraceFields(event.metadata),
          attributes: {
            'messaging.system': transport.kind,
            'messaging.operation.type': 'send',
            'messaging.destination.name': message.subject,
            'messaging.message.id': message.id,
          },
        });
        spans.push(span);
        const trace = traceFieldsOf(otelTrace.setSpan(ROOT_CONTEXT, span));
        messages.push(
          toTransportMessage({ ...message, metadata: { ...message.metadata, ...trace } }),
        );
      }
      if (messages.length === 0) return;
      try {
        await transport.publish(messages, { signal });
        const now = Date.now();
        const lag = duetInstruments().relayLag;
        for (const event of events) {
          const at = Date.parse(String(event.metadata.timestamp));
          if (Number.isFinite(at)) lag.record((now - at) / 1000, { 'duet.relay': base.name });
        }
      } catch (error) {
        for (const span of spans) {
          span.setStatus({ code: SpanStatusCode.ERROR, message: String(error) });
        }
        if (signal.aborted) throw error;
        // The event's own fault (a tenant that cannot be a subject token): publishing again
        // cannot help, so the runner narrows to the event and applies `onFailure`.
        if (error instanceof ValidationError) throw error;
        const reason = error instanceof Error ? error.message : String(error);
        log.warn(
          {
            relay: base.name,
            transport: transport.kind,
            messages: messages.length,
            subjects: [...new Set(messages.map((message) => message.subject))],
            first_event_id: events[0]?.id,
            first_position: events[0]?.position,
            error: reason,
          },
          'relay publish failed, will publish again',
        );
        if (error instanceof UnavailableError) throw error;
        // Whatever the broker says, it is not this event's fault: wait and publish again.
        throw new UnavailableError(transport.kind, reason, { cause: error });
      } finally {
        for (const span of spans) span.end();
      }
    },
  };
}
