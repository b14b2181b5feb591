import { TransportConfigError } from '../errors/transport-config-error.ts';
import { UnavailableError } from '../errors/unavailable-error.ts';
import type { MessageStreamDefinition } from './message-stream.ts';
import { subjectMatches } from './subject-matches.ts';
import { noTenantToken, tenantTokenOf } from './tenant-subject.ts';
import type {
  ConsumerSpec,
  DeadLetteredMessage,
  Delivery,
  PublishAck,
  Transport,
  TransportMessage,
} from './transport.ts';

interface Stored {
  readonly sequence: number;
  readonly message: TransportMessage;
}

interface StreamState {
  readonly definition: MessageStreamDefinition;
  readonly messages: Stored[];
  /** Message id → its sequence and when it was stored, within the duplicate window. */
  readonly seen: Map<string, { sequence: number; at: number }>;
}

interface Pending {
  attempt: number;
  /** Redeliver at or after this time (ack wait, or a nak's delay). */
  dueAt: number;
  /** Delivered and waiting for ack, or waiting to be delivered again. */
  out: boolean;
}

interface ConsumerState {
  spec: ConsumerSpec;
  /** The next sequence never delivered. */
  next: number;
  readonly pending: Map<number, Pending>;
}

/** What `createInProcessTransport` takes. */
export interface InProcessTransportOptions {
  /**
   * As the NATS transport's `tenantSubjects`: a message's tenant (`Duet-Tenant`) must be a
   * subject token (else `ValidationError`, nothing stored) and each delivery carries it as
   * `message.tenant` (`''` without one). Default false.
   */
  readonly tenantSubjects?: boolean;
}

/**
 * A transport inside one process: streams, de-duplication, durable consumers with ack,
 * ack wait, naks and `maxDeliver`, and dead letters, kept in memory. Same API as the NATS
 * transport (both pass the transport conformance suite); for `npm start`, which runs every
 * service in one process, and for users' tests. Nothing survives the process.
 *
 * @example
 * await using transport = createInProcessTransport();
 * await transport.ensureStreams([ordersStream]);
 */
export function createInProcessTransport(options: InProcessTransportOptions = {}): Transport {
  const tenantSubjects = options.tenantSubjects === true;
  const streams = new Map<string, StreamState>();
  const consumers = new Map<string, ConsumerState>();
  const letters: DeadLetteredMessage[] = [];
  let nextLetter = 1;
  let closed = false;
  let wake = new Set<() => void>();
  const notify = () => {
    const waiting = wake;
    wake = new Set();
    for (const resolve of waiting) resolve();
  };

  const streamFor = (subject: string) => {
    for (const state of streams.values()) {
      if (state.definition.subjects.some((filter) => subjectMatches(filter, subject))) return state;
    }
    return undefined;
  };

  const checkOpen = () => {
    if (closed) throw new UnavailableError('in-process transport', 'closed');
  };

  const deliverable = (consumer: ConsumerState, stream: StreamState, batch: number) => {
    const now = Date.now();
    const out: Array<{ stored: Stored; pending: Pending }> = [];
    const { spec } = consumer;
    // Redeliveries first, in sequence order, as a broker does.
    for (const [sequence, pending] of [...consumer.pending].sort((a, b) => a[0] - b[0])) {
      if (out.length >= batch) break;
      if (pending.dueAt > now) continue;
      if (pending.attempt >= spec.maxDeliver) {
        consumer.pending.delete(sequence); // given up, as the broker does after maxDeliver
        continue;
      }
      const stored = stream.messages.find((m) => m.sequence === sequence);
      if (!stored) {
        consumer.pending.delete(sequence);
        continue;
      }
      pending.attempt += 1;
      pending.out = true;
      pending.dueAt = now + spec.ackWaitMs;
      out.push({ stored, pending });
    }
    const filter = spec.filterSubject ?? `${stream.definition.service}.>`;
    while (out.length < batch && consumer.pending.size < spec.maxAckPending) {
      const stored = stream.messages.find((m) => m.sequence >= consumer.next);
      if (!stored) break;
      consumer.next = stored.sequence + 1;
      if (!subjectMatches(filter, stored.message.subject)) continue;
      const pending = { attempt: 1, out: true, dueAt: now + spec.ackWaitMs };
      consumer.pending.set(stored.sequence, pending);
      out.push({ stored, pending });
    }
    return out;
  };

  const nextDue = (consumer: ConsumerState) => {
    let due = Number.POSITIVE_INFINITY;
    for (const pending of consumer.pending.values()) due = Math.min(due, pending.dueAt);
    return due;
  };

  const toDelivery = (
    consumer: ConsumerState,
    stream: StreamState,
    stored: Stored,
    pending: Pending,
  ): Delivery => ({
    message: stored.message,
    stream: stream.definition.name,
    sequence: stored.sequence,
    attempt: pending.attempt,
    async ack() {
      if (consumer.pending.get(stored.sequence) === pending)
        consumer.pending.delete(stored.sequence);
    },
    nak(delayMs = 0) {
      if (consumer.pending.get(stored.sequence) !== pending) return;
      pending.out = false;
      pending.dueAt = Date.now() + delayMs;
      if (delayMs === 0) notify();
    },
    working() {
      if (consumer.pending.get(stored.sequence) === pending) {
        pending.dueAt = Date.now() + consumer.spec.ackWaitMs;
      }
    },
  });

  return {
    kind: 'in-process',
    async ensureStreams(definitions) {
      checkOpen();
      for (const definition of definitions) {
        const existing = streams.get(definition.name);
        if (existing) {
          const old = existing.definition;
          if (
            old.subjects.join() !== definition.subjects.join() ||
            old.duplicateWindowMs !== definition.duplicateWindowMs ||
            old.retention !== definition.retention
          ) {
            throw new TransportConfigError(
              definition.name,
              'exists with other subjects, retention or duplicate window',
            );
          }
          continue;
        }
        const clash = [...streams.values()].find(
          (s) => s.definition.service === definition.service,
        );
        if (clash) {
          throw new TransportConfigError(
            definition.name,
            `subjects overlap stream ${clash.definition.name}`,
          );
        }
        streams.set(definition.name, { definition, messages: [], seen: new Map() });
      }
    },
    async publish(messages, publishOptions = {}) {
      // Checked before anything is stored, as a broker refuses a bad subject before storing.
      const tenants = messages.map((message) =>
        tenantSubjects ? tenantTokenOf(message.headers['Duet-Tenant']) : undefined,
      );
      const acks: PublishAck[] = [];
      for (const [index, { tenant: _ignored, ...message }] of messages.entries()) {
        checkOpen();
        publishOptions.signal?.throwIfAborted();
        const stream = streamFor(message.subject);
        if (!stream) {
          throw new UnavailableError(
            'in-process transport',
            `no stream holds subject ${message.subject}`,
          );
        }
        const now = Date.now();
        const seen = stream.seen.get(message.id);
        if (seen && now - seen.at < stream.definition.duplicateWindowMs) {
          acks.push({ stream: stream.definition.name, sequence: seen.sequence, duplicate: true });
          continue;
        }
        const sequence = (stream.messages.at(-1)?.sequence ?? 0) + 1;
        // A copy: the caller may reuse its objects, a broker would not see later changes.
        const token = tenants[index];
        stream.messages.push({
          sequence,
          message: {
            ...message,
            headers: { ...message.headers },
            ...(token === undefined ? {} : { tenant: token === noTenantToken ? '' : token }),
          },
        });
        stream.seen.set(message.id, { sequence, at: now });
        acks.push({ stream: stream.definition.name, sequence, duplicate: false });
      }
      notify();
      return acks;
    },
    async *consume(spec, options) {
      const { signal } = options;
      const batch = options.batch ?? 100;
      const stream = streams.get(spec.stream.name);
      if (!stream)
        throw new TransportConfigError(spec.stream.name, 'does not exist: ensureStreams first');
      const key = `${spec.stream.name}/${spec.name}`;
      let consumer = consumers.get(key);
      if (!consumer) {
        consumer = { spec, next: 1, pending: new Map() };
        consumers.set(key, consumer);
      } else {
        consumer.spec = spec;
      }
      // A new process on a durable name: what the old one had out comes back after ack wait.
      while (!signal.aborted && !closed) {
        const ready = deliverable(consumer, stream, batch);
        if (ready.length > 0) {
          yield ready.map(({ stored, pending }) => toDelivery(consumer, stream, stored, pending));
          continue;
        }
        const due = nextDue(consumer);
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            signal.removeEventListener('abort', done);
            wake.delete(done);
            resolve();
          };
          const wait = Number.isFinite(due) ? Math.max(1, due - Date.now()) : 60_000;
          const timer = setTimeout(done, wait);
          signal.addEventListener('abort', done, { once: true });
          wake.add(done);
        });
      }
    },
    async deadLetter(consumer, delivery, error) {
      checkOpen();
      // As on NATS, a dead letter keeps the contract subject and headers, not the wire tenant.
      const { tenant: _ignored, ...message } = delivery.message;
      letters.push({
        id: String(nextLetter++),
        consumer,
        message,
        error,
        attempts: delivery.attempt,
        at: new Date().toISOString(),
      });
    },
    async deadLetters(consumer) {
      return letters.filter((letter) => consumer === undefined || letter.consumer === consumer);
    },
    async removeDeadLetter(id) {
      const index = letters.findIndex((letter) => letter.id === id);
      if (index >= 0) letters.splice(index, 1);
    },
    async close() {
      closed = true;
      notify();
    },
    async [Symbol.asyncDispose]() {
      closed = true;
      notify();
    },
  };
}
