import {
  type Delivery,
  type MessageStreamDefinition,
  type PublishAck,
  type Transport,
  TransportConfigError,
  type TransportMessage,
  tenantFilter,
  UnavailableError,
  withoutTenant,
  withTenant,
} from '@duet/core';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection, headers as natsHeaders } from '@nats-io/transport-node';
import { coalescedFlush, consumeDurable, ensureConsumer } from './consume-durable.ts';
import { deadLetterStore } from './dead-letter-store.ts';
import { ensureStream } from './ensure-streams.ts';
import { unavailable } from './nats-errors.ts';
import {
  type NatsTransportOptions,
  resolveNatsTransportOptions,
} from './nats-transport-options.ts';

/** The NATS transport, and the connection it uses. */
export interface NatsTransport extends Transport {
  readonly connection: NatsConnection;
}

const encoder = new TextEncoder();

/**
 * Opens the JetStream transport: ordered publish with `Nats-Msg-Id` de-duplication and a
 * bounded window of outstanding acks, durable pull consumers with explicit ack, and dead
 * letters in a stream of their own. Reconnects forever once connected; a server that is
 * not reachable at start-up is an `UnavailableError` that names it. Closes the
 * connection only if it opened it.
 *
 * @example
 * await using transport = await openNatsTransport({ servers: 'nats://127.0.0.1:4222' });
 * await transport.ensureStreams([ordersStream]);
 */
export async function openNatsTransport(options: NatsTransportOptions): Promise<NatsTransport> {
  const config = resolveNatsTransportOptions(options);
  let owned = false;
  let nc = config.connection;
  if (!nc) {
    try {
      nc = await connect({
        servers: [...config.servers],
        name: 'duet',
        maxReconnectAttempts: -1,
        reconnectTimeWait: 250,
        pingInterval: 10_000,
        ...(config.inboxPrefix ? { inboxPrefix: config.inboxPrefix } : {}),
        ...config.login,
      });
      owned = true;
    } catch (error) {
      throw new UnavailableError(
        'nats',
        `not reachable at ${config.servers.join(', ')} (${(error as Error).message}); is nats-server running with -js?`,
        { cause: error },
      );
    }
  }
  const connection = nc;
  const flushAcks = coalescedFlush(connection);
  const jsm = await jetstreamManager(connection).catch((error) => {
    throw new TransportConfigError(
      '(jetstream)',
      `JetStream is not enabled on the server: ${(error as Error).message}`,
    );
  });
  const js = jetstream(connection, { timeout: config.publishTimeoutMs });
  const letters = deadLetterStore(js, jsm, config);
  let lettersReady: Promise<void> | null = null;
  const ensureLetters = () => {
    lettersReady ??= letters.ensure().catch((error) => {
      lettersReady = null;
      throw unavailable(error, `dead-letter stream ${config.deadLetterStream}`);
    });
    return lettersReady;
  };

  // The subject namespace (subjectPrefix) and the tenant token (tenantSubjects): added on
  // the way out, removed on the way in, so users of the port only see contract subjects.
  const wire = config.subjectPrefix;
  const tenants = config.tenantSubjects;
  const onWire = (filter: string) => wire + (tenants ? tenantFilter(filter) : filter);
  const inNamespace = (definition: MessageStreamDefinition): MessageStreamDefinition =>
    wire || tenants ? { ...definition, subjects: definition.subjects.map(onWire) } : definition;
  const wireSubject = (message: TransportMessage) =>
    wire +
    (tenants ? withTenant(message.subject, message.headers['Duet-Tenant']) : message.subject);
  const fromWire = (subject: string): Pick<TransportMessage, 'subject' | 'tenant'> => {
    const bare = subject.startsWith(wire) ? subject.slice(wire.length) : subject;
    if (!tenants) return { subject: bare };
    return withoutTenant(bare) ?? { subject: bare };
  };
  const outOfNamespace = (delivery: Delivery): Delivery => {
    const { tenant: _ignored, ...message } = delivery.message;
    return { ...delivery, message: { ...message, ...fromWire(message.subject) } };
  };

  const publishOne = (message: TransportMessage, subject: string): Promise<PublishAck> => {
    const h = natsHeaders();
    for (const [key, value] of Object.entries(message.headers)) h.set(key, value);
    return js
      .publish(subject, encoder.encode(message.payload), {
        msgID: message.id,
        headers: h,
        timeout: config.publishTimeoutMs,
      })
      .then((ack) => ({ stream: ack.stream, sequence: ack.seq, duplicate: ack.duplicate }));
  };

  const close = async () => {
    if (owned && !connection.isClosed()) await connection.drain().catch(() => connection.close());
  };

  return {
    kind: 'nats',
    connection,
    async ensureStreams(definitions: readonly MessageStreamDefinition[]) {
      for (const definition of definitions)
        await ensureStream(jsm, inNamespace(definition), config.warn);
      await ensureLetters();
    },
    async publish(messages, publishOptions = {}) {
      // A tenant that cannot be a subject token refuses the batch before anything is sent.
      const subjects = messages.map(wireSubject);
      const acks: PublishAck[] = new Array(messages.length);
      const inFlight = new Set<Promise<void>>();
      let failure: unknown;
      for (const [index, message] of messages.entries()) {
        if (failure !== undefined || publishOptions.signal?.aborted) break;
        // Sent in order on one connection; only the acks overlap, at most `publishWindow` of them.
        const pending: Promise<void> = publishOne(message, subjects[index]!).then(
          (ack) => {
            acks[index] = ack;
          },
          (error: unknown) => {
            failure ??= error;
          },
        );
        inFlight.add(pending);
        void pending.finally(() => inFlight.delete(pending));
        if (inFlight.size >= config.publishWindow) await Promise.race(inFlight);
      }
      await Promise.all(inFlight);
      publishOptions.signal?.throwIfAborted();
      if (failure !== undefined) throw unavailable(failure, 'publish');
      return acks;
    },
    async *consume(spec, consumeOptions) {
      const onWireSpec =
        wire || tenants
          ? {
              ...spec,
              stream: inNamespace(spec.stream),
              ...(spec.filterSubject ? { filterSubject: onWire(spec.filterSubject) } : {}),
            }
          : spec;
      try {
        await ensureConsumer(jsm, onWireSpec);
      } catch (error) {
        throw unavailable(error, `consumer ${spec.name} on ${spec.stream.name}`);
      }
      const batches = consumeDurable(js, onWireSpec, {
        flush: flushAcks,
        signal: consumeOptions.signal,
        batch: consumeOptions.batch ?? 100,
      });
      if (!wire && !tenants) return yield* batches;
      for await (const batch of batches) yield batch.map(outOfNamespace);
    },
    async deadLetter(consumer, delivery, error) {
      await ensureLetters();
      try {
        await letters.add(consumer, delivery, error);
      } catch (failure) {
        throw unavailable(failure, 'dead letter');
      }
    },
    deadLetters: (consumer) => letters.list(consumer),
    removeDeadLetter: (id) => letters.remove(id),
    close,
    [Symbol.asyncDispose]: close,
  };
}
