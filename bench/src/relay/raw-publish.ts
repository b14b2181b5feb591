import {
  type Contracts,
  type EventStore,
  type IntegrationMessage,
  type TransportMessage,
  toTransportMessage,
} from '@duet/core';
import { jetstream } from '@nats-io/jetstream';
import { type NatsConnection, headers as natsHeaders } from '@nats-io/transport-node';

/**
 * The messages the relay publishes for the store's events, built the way `createRelay`
 * builds them (same subjects, headers, payloads and `Nats-Msg-Id`), before any timing.
 * Every bench event maps to a contract, so a stream's previous published version is the
 * previous event of that stream.
 */
export async function relayMessages(
  store: Pick<EventStore, 'readAll'>,
  contracts: Contracts,
): Promise<TransportMessage[]> {
  const previous = new Map<string, number>();
  const messages: TransportMessage[] = [];
  for await (const event of store.readAll({ pageSize: 5_000 })) {
    const contract = contracts.forDomainType(event.type);
    if (!contract) throw new Error(`no contract for ${event.type}`);
    const metadata = Object.fromEntries(
      ['correlationId', 'actor', 'tenant', 'traceparent', 'tracestate']
        .map((key) => [key, event.metadata[key]] as const)
        .filter(([, value]) => typeof value === 'string'),
    );
    const message: IntegrationMessage = {
      id: event.id,
      service: contract.service,
      type: contract.name,
      subject: contract.subject,
      version: contract.version,
      stream: event.stream,
      streamVersion: event.streamVersion,
      previousVersion: previous.get(event.stream) ?? 0,
      position: event.position,
      occurredAt: event.metadata.timestamp,
      data: contract.map(event),
      metadata: { ...metadata, causationId: event.id },
    };
    previous.set(event.stream, event.streamVersion);
    messages.push(toTransportMessage(message));
  }
  return messages;
}

export interface RawPublishResult {
  readonly seconds: number;
  readonly acked: number;
  readonly duplicates: number;
}

const encoder = new TextEncoder();

/**
 * Publishes `messages` with @nats-io/jetstream and nothing else: async publish in order on
 * one connection with at most `window` acks outstanding (the NATS transport's algorithm,
 * without Duet around it), headers and `Nats-Msg-Id` as the relay sends them. Timed from
 * the first publish to the last ack.
 */
export async function rawPublish(
  connection: NatsConnection,
  messages: readonly TransportMessage[],
  window: number,
  timeoutMs: number,
): Promise<RawPublishResult> {
  const js = jetstream(connection, { timeout: timeoutMs });
  const inFlight = new Set<Promise<void>>();
  let acked = 0;
  let duplicates = 0;
  let failure: unknown;
  const started = performance.now();
  for (const message of messages) {
    if (failure !== undefined) break;
    const h = natsHeaders();
    for (const [key, value] of Object.entries(message.headers)) h.set(key, value);
    const pending: Promise<void> = js
      .publish(message.subject, encoder.encode(message.payload), {
        msgID: message.id,
        headers: h,
        timeout: timeoutMs,
      })
      .then(
        (ack) => {
          acked += 1;
          if (ack.duplicate) duplicates += 1;
        },
        (error: unknown) => {
          failure ??= error;
        },
      );
    inFlight.add(pending);
    void pending.finally(() => inFlight.delete(pending));
    if (inFlight.size >= window) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  const seconds = (performance.now() - started) / 1000;
  if (failure !== undefined) throw failure;
  return { seconds, acked, duplicates };
}
