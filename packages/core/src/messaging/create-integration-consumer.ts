import { context as otelContext, SpanKind } from '@opentelemetry/api';
import { UnavailableError } from '../errors/unavailable-error.ts';
import { ValidationError } from '../errors/validation-error.ts';
import { checkEventData } from '../personal-data/check-event-data.ts';
import { openData, subjectsIn } from '../personal-data/open-personal-data.ts';
import type { PersonalDataKeys } from '../personal-data/personal-data-keys.ts';
import { type DuetLogger, tracedLogger } from '../telemetry/duet-logger.ts';
import { duetInstruments } from '../telemetry/duet-metrics.ts';
import { inSpan } from '../telemetry/in-span.ts';
import { contextOfTraceFields } from '../telemetry/trace-context.ts';
import { checkTenant, inTenant, inTenantOf } from '../tenancy/tenant-scope.ts';
import type { Contracts } from './define-contracts.ts';
import type { IntegrationEventDefinition } from './define-integration-event.ts';
import type { Inbox, InboxEntry } from './inbox.ts';
import { fromTransportMessage, type IntegrationMessage } from './integration-message.ts';
import type { MessageStreamDefinition } from './message-stream.ts';
import type { DeadLetteredMessage, Delivery, Transport } from './transport.ts';

/** What a consumer's handler gets besides the message. */
export interface ConsumerContext<Tx> {
  /** The inbox's transaction: effects written through it commit with the inbox row. */
  readonly tx: Tx;
}

/** What `createIntegrationConsumer` takes. */
export interface IntegrationConsumerOptions<Tx> {
  /** The durable consumer's name, also the inbox's: lower case, digits and `_`. */
  readonly name: string;
  readonly transport: Transport;
  readonly inbox: Inbox<Tx>;
  /** The publishing service's stream. */
  readonly source: MessageStreamDefinition;
  /** The publisher's contracts: messages are checked against their schema before the handler. */
  readonly contracts: Contracts;
  /** The contracts handled; the source's other messages are recorded and acknowledged unhandled. Default all. */
  readonly events?: readonly IntegrationEventDefinition[];
  handle(message: IntegrationMessage, context: ConsumerContext<Tx>): Promise<void>;
  /** Unacknowledged this long, a delivery comes again (default 30,000 ms). */
  readonly ackWaitMs?: number;
  /** Attempts before a message is dead-lettered (default 10). */
  readonly maxDeliver?: number;
  /** Waits before attempt 2, 3, ... (the last repeats; default 100, 500, 2,000, 5,000 ms). */
  readonly backoffMs?: readonly number[];
  /** Deliveries fetched at once (default 100). */
  readonly batch?: number;
  /**
   * Inbox transactions run side by side, each for the streams of one lane (a stream always
   * in the same lane, so its order holds): a batch of more than 16 deliveries is split
   * into up to this many. Default 4; 1 runs one transaction at a time. Size the database
   * pool above it.
   */
  readonly concurrency?: number;
  /**
   * Where it logs failed deliveries (warn), dead letters (error) and broker or database
   * outages (warn), each line with the message's `trace_id` and `span_id` (default none).
   */
  readonly logger?: DuetLogger;
  /** Called for every dead-lettered message (logs, metrics). */
  /**
   * Read access to the publisher's personal data keys: sealed personal fields are opened
   * before the schema check and the handler, and a forgotten subject's fields arrive as
   * the contract's replacements. Without it, sealed fields reach the handler sealed
   * (`isSealedField` tells them apart): a consumer that needs no personal data needs no keys.
   */
  readonly personalData?: { readonly keys: PersonalDataKeys };
  readonly onDeadLetter?: (letter: {
    message: string;
    subject: string;
    id: string;
    attempts: number;
  }) => void;
}

/** A running consumer. */
export interface IntegrationConsumer extends AsyncDisposable {
  readonly name: string;
  /** Why the last fetch or batch failed (the broker or the database down), until one succeeds. */
  readonly lastError: string | undefined;
  /** Checks (or creates) the source stream, then starts consuming in the background. */
  start(): Promise<void>;
  /** Finishes the batch in flight and stops; unacknowledged deliveries come again later. */
  stop(): Promise<void>;
  /** This consumer's dead letters. */
  deadLetters(): Promise<DeadLetteredMessage[]>;
  /**
   * Runs dead letters through the handler again (one by id, or all), each in its own
   * inbox transaction, and removes each that succeeds. Resolves to the number replayed;
   * a message that still fails stays and its error is thrown.
   */
  replay(id?: string): Promise<number>;
  /**
   * Drops dead letters (one by id, or all) without running the handler: for a message
   * this service must never act on. Resolves to the number dropped.
   */
  discard(id?: string): Promise<number>;
}

const consumerName = /^[a-z][a-z0-9_]{0,63}$/;

interface Item {
  readonly delivery: Delivery;
  readonly message: IntegrationMessage;
  readonly entry: InboxEntry;
  readonly handled: boolean;
}

/**
 * Consumes another service's integration events from a durable consumer: each batch's
 * handlers run in one inbox transaction that also records the message ids, so a
 * redelivery changes nothing; a stream's messages take effect in stream order. A message
 * that fails its contract goes straight to the dead letters; one whose handler keeps
 * failing goes there after `maxDeliver` attempts. Bad input never stops the consumer.
 *
 * @example
 * await using consumer = createIntegrationConsumer({ name: 'order_history', transport, inbox,
 *   source: ordersStream, contracts: ordersContracts, handle: async (m, { tx }) => { ... } });
 * await consumer.start();
 */
export function createIntegrationConsumer<Tx>(
  options: IntegrationConsumerOptions<Tx>,
): IntegrationConsumer {
  const { name, transport, inbox, source, contracts, handle } = options;
  if (typeof name !== 'string' || !consumerName.test(name)) {
    throw fail(
      'consumer option name',
      `expected lower case letters, digits and _, got ${JSON.stringify(name)}`,
    );
  }
  if (contracts?.kind !== 'contracts' || contracts.service !== source?.service) {
    throw fail(
      `consumer ${name} option contracts`,
      'expected the source service’s contracts (defineContracts)',
    );
  }
  if (typeof handle !== 'function')
    throw fail(`consumer ${name} option handle`, 'expected a function');
  const handledSubjects = new Set(
    (options.events ?? contracts.events).map((event) => event.subject),
  );
  const keys = options.personalData?.keys;
  // Opens sealed fields (the keys looked up now: a subject forgotten since publishing
  // reads as forgotten), then checks the contract, skipping the fields found forgotten.
  const checkData = async (
    contract: IntegrationEventDefinition,
    message: IntegrationMessage,
  ): Promise<unknown> => {
    let data = message.data;
    let forgotten: readonly string[] = [];
    const subjects = keys ? subjectsIn([data]) : [];
    if (keys && subjects.length > 0) {
      let found: ReadonlyMap<string, Uint8Array>;
      try {
        found = await inTenantOf(message, () => keys.findKeys(subjects));
      } catch (error) {
        // The key table is down, not the message bad: no dead letter, it comes again.
        throw new UnavailableError('personal data keys', errorText(error), { cause: error });
      }
      const opened = openData(data, message.id, found, contract.personal?.forgotten);
      data = opened.data;
      forgotten = opened.forgotten;
    }
    return checkEventData(contract, data, `message ${message.subject} ${message.id}`, forgotten);
  };
  const maxDeliver = options.maxDeliver ?? 10;
  const concurrency = options.concurrency ?? 4;
  if (!Number.isSafeInteger(concurrency) || concurrency < 1 || concurrency > 64) {
    throw fail(`consumer ${name} option concurrency`, 'expected a whole number from 1 to 64');
  }
  const backoff = options.backoffMs ?? [100, 500, 2_000, 5_000];
  const log = tracedLogger(options.logger, `consumer ${name} option logger`);
  const spec = {
    name,
    stream: source,
    ackWaitMs: options.ackWaitMs ?? 30_000,
    maxDeliver,
    maxAckPending: Math.max(1_000, (options.batch ?? 100) * 4),
  };
  let controller: AbortController | null = null;
  let loop: Promise<void> | null = null;
  let lastError: string | undefined;

  const delay = (attempt: number) => backoff[Math.min(attempt - 1, backoff.length - 1)] ?? 1_000;

  // What a line about one delivery says, in the trace its message continues.
  const logDelivery = (
    level: 'warn' | 'error',
    delivery: Delivery,
    error: string,
    message: string,
  ) => {
    const { headers, subject, id } = delivery.message;
    otelContext.with(contextOfTraceFields(headers), () =>
      log[level](
        { consumer: name, subject, message_id: id, attempt: delivery.attempt, maxDeliver, error },
        message,
      ),
    );
  };

  const deadLetter = async (delivery: Delivery, error: string, entry?: InboxEntry) => {
    await transport.deadLetter(name, delivery, error);
    if (entry) await inbox.pass(name, entry);
    await delivery.ack();
    duetInstruments().deadLetters.add(1, { 'duet.consumer': name });
    logDelivery('error', delivery, error, 'message dead-lettered');
    options.onDeadLetter?.({
      message: error,
      subject: delivery.message.subject,
      id: delivery.message.id,
      attempts: delivery.attempt,
    });
  };

  // Decodes and checks a delivery; a bad one is dead-lettered at once (retrying cannot fix it).
  const decode = async (delivery: Delivery): Promise<Item | null> => {
    let message: IntegrationMessage;
    try {
      message = fromTransportMessage(delivery.message);
      // Its lane runs as this tenant: a malformed one could never be handled.
      if (message.metadata.tenant !== undefined)
        checkTenant(message.metadata.tenant, 'Duet-Tenant');
    } catch (error) {
      await deadLetter(delivery, errorText(error));
      return null;
    }
    const entry: InboxEntry = {
      messageId: message.id,
      // Two tenants may both have a stream of that name: their orders are apart.
      stream:
        message.metadata.tenant === undefined
          ? message.stream
          : `${message.metadata.tenant}/${message.stream}`,
      streamVersion: message.streamVersion,
      previousVersion: message.previousVersion,
    };
    const contract = contracts.forSubject(message.subject);
    if (!contract) return { delivery, message, entry, handled: false };
    try {
      const data = await checkData(contract, message);
      return {
        delivery,
        message: { ...message, data },
        entry,
        handled: handledSubjects.has(message.subject),
      };
    } catch (error) {
      if (error instanceof UnavailableError) throw error;
      await deadLetter(delivery, errorText(error), entry);
      return null;
    }
  };

  const run = (items: readonly Item[], ignoreOrder = false) =>
    inbox.run(
      name,
      items.map((item) => item.entry),
      async (_entry, index, tx) => {
        const item = items[index]!;
        if (!item.handled) return;
        const { message } = item;
        // A CONSUMER span in the publisher's trace: what the handler appends continues it.
        await inSpan(
          `process ${message.subject}`,
          {
            kind: SpanKind.CONSUMER,
            parent: contextOfTraceFields(message.metadata),
            attributes: {
              'messaging.system': transport.kind,
              'messaging.operation.type': 'process',
              'messaging.destination.name': message.subject,
              'messaging.consumer.group.name': name,
              'messaging.message.id': message.id,
            },
          },
          () => handle(message, { tx }),
        );
      },
      { ignoreOrder },
    );

  const settle = async (item: Item, outcome: 'handled' | 'duplicate' | 'early') => {
    duetInstruments().consumedMessages.add(1, { 'duet.consumer': name, 'duet.outcome': outcome });
    // Not awaited: the effects are committed, and a lost ack only means a redelivery that
    // the inbox turns into a duplicate. The next batch need not wait for the broker.
    if (outcome !== 'early') return void item.delivery.ack().catch(() => {});
    if (item.delivery.attempt >= maxDeliver) {
      return deadLetter(
        item.delivery,
        `waited for version ${item.entry.previousVersion} of ${item.entry.stream}, which never came`,
        item.entry,
      );
    }
    item.delivery.nak(delay(item.delivery.attempt));
  };

  // A stream's messages always go to the same lane, in order; lanes commit side by side,
  // each in its own inbox transaction, so one slow transaction does not hold up the others.
  const handleBatch = async (deliveries: readonly Delivery[]) => {
    const items = (await Promise.all(deliveries.map(decode))).filter(
      (item): item is Item => item !== null,
    );
    // Small batches stay one transaction: each transaction costs the database a fixed
    // amount, and splitting a light load only adds transactions.
    const width = Math.min(concurrency, Math.ceil(items.length / laneWidth));
    // A lane holds one tenant's messages: its transaction runs as that tenant.
    const lanes = new Map<string, Item[]>();
    for (const item of items) {
      const lane = `${item.message.metadata.tenant ?? ''}/${laneOf(item.entry.stream, width)}`;
      lanes.set(lane, [...(lanes.get(lane) ?? []), item]);
    }
    await Promise.all(
      [...lanes.values()].map((lane) => {
        const tenant = lane[0]!.message.metadata.tenant;
        return inTenant(tenant, () => handleLane(lane));
      }),
    );
  };

  const handleLane = async (items: readonly Item[]) => {
    try {
      const outcomes = await run(items);
      await Promise.all(items.map((item, index) => settle(item, outcomes[index]!)));
      return;
    } catch {
      // Some handler threw: the batch rolled back. Go one by one to find it.
    }
    for (const item of items) {
      try {
        const [outcome] = await run([item]);
        await settle(item, outcome!);
      } catch (error) {
        if (item.delivery.attempt >= maxDeliver)
          await deadLetter(item.delivery, errorText(error), item.entry);
        else {
          logDelivery(
            'warn',
            item.delivery,
            errorText(error),
            'delivery failed, will be redelivered',
          );
          item.delivery.nak(delay(item.delivery.attempt));
        }
      }
    }
  };

  const consume = async (signal: AbortSignal) => {
    while (!signal.aborted) {
      try {
        for await (const deliveries of transport.consume(spec, {
          signal,
          batch: options.batch ?? 100,
        })) {
          await handleBatch(deliveries);
          lastError = undefined;
        }
      } catch (error) {
        if (signal.aborted) return;
        // The broker or the database is down: the deliveries come again; wait, then resume.
        // One line per outage, not one per retry.
        if (lastError === undefined) {
          log.warn(
            { consumer: name, error: errorText(error) },
            'consumer waiting for the broker or the database',
          );
        }
        lastError = errorText(error);
        await pause(500, signal);
      }
    }
  };

  const stop = async () => {
    controller?.abort();
    await loop;
    controller = null;
    loop = null;
  };

  return {
    name,
    get lastError() {
      return lastError;
    },
    async start() {
      if (loop) return;
      // A missing source stream is made (so nothing published from now on is missed); one
      // set up differently from its definition is a TransportConfigError, here, at start-up.
      await transport.ensureStreams([source]);
      if (loop) return;
      controller = new AbortController();
      loop = consume(controller.signal);
    },
    stop,
    deadLetters: () => transport.deadLetters(name),
    async replay(id) {
      const letters = (await transport.deadLetters(name)).filter(
        (letter) => id === undefined || letter.id === id,
      );
      let replayed = 0;
      for (const letter of letters) {
        const message = fromTransportMessage(letter.message);
        const contract = contracts.forSubject(message.subject);
        const data = contract ? await checkData(contract, message) : message.data;
        const item: Item = {
          delivery: undefined as unknown as Delivery,
          message: { ...message, data },
          entry: {
            messageId: message.id,
            stream: message.stream,
            streamVersion: message.streamVersion,
            previousVersion: message.previousVersion,
          },
          handled: contract !== undefined && handledSubjects.has(message.subject),
        };
        await run([item], true);
        await transport.removeDeadLetter(letter.id);
        replayed += 1;
      }
      return replayed;
    },
    async discard(id) {
      const letters = (await transport.deadLetters(name)).filter(
        (letter) => id === undefined || letter.id === id,
      );
      for (const letter of letters) await transport.removeDeadLetter(letter.id);
      return letters.length;
    },
    [Symbol.asyncDispose]: stop,
  };
}

// Items per lane before a batch is split into another lane.
const laneWidth = 16;

/** A stable lane for a stream (FNV-1a over its name). */
function laneOf(stream: string, lanes: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < stream.length; i++) {
    hash ^= stream.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % lanes;
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function fail(subject: string, message: string): ValidationError {
  return new ValidationError(subject, [{ path: [], message }]);
}
