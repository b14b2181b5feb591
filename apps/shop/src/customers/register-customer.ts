import {
  type CommandResult,
  ConcurrencyError,
  type EventStore,
  foldEvents,
  type Message,
  newEventId,
  type RecordedEvent,
  RetriesExhaustedError,
  validate,
} from '@duet/core';
import { matchesExpectedVersion } from '@duet/core/adapters';
import type { PostgresEventStore } from '@duet/postgres';
import { commandMetadata, decisionContextOf } from '../service-kit/command-metadata.ts';
import type { Evolver } from '../service-kit/decide-in-transaction.ts';
import type { OwnCommandHandler } from '../service-kit/route-commands.ts';
import { RegisterCustomer } from './customer-commands.ts';
import { customerDecider } from './customer-decider.ts';
import { decideRegistration, registrationStreams } from './decide-registration.ts';
import { emailReservationDecider } from './email-reservation-decider.ts';

/** Options of `createRegistrationHandler`. */
export interface RegistrationHandlerOptions {
  readonly store: PostgresEventStore;
  /** Reads and decisions before a lost race gives up (default 3, as the bus). */
  readonly maxAttempts?: number;
}

async function fold<S, E extends Message>(
  store: Pick<EventStore, 'readStream'>,
  stream: string,
  evolver: Evolver<S, E>,
): Promise<{ state: S; version: number }> {
  const events: RecordedEvent<E>[] = [];
  for await (const event of store.readStream<E>(stream)) events.push(event);
  return { state: foldEvents(evolver, events), version: events.at(-1)?.streamVersion ?? 0 };
}

const expectedOf = (version: number) => (version === 0 ? ('no_stream' as const) : version);

/**
 * `RegisterCustomer`, which no decider handler can take: it reads the customer's stream
 * and the email's reservation, decides both (`decideRegistration`), and appends both in
 * one transaction, each expecting the version it read. Two registrations racing for one
 * email both decide "free"; the second append finds the email stream moved, and the
 * retry on fresh state refuses it with `EMAIL_TAKEN`. An `If-Match` (`expectedVersion`)
 * is checked against the customer's stream.
 *
 * @example
 * const register = createRegistrationHandler({ store });
 * await register(RegisterCustomer.create({ customerId: 'ada', name: 'Ada', email, shippingAddress }), { actor: 'ada', roles: ['customer'] });
 */
export function createRegistrationHandler(options: RegistrationHandlerOptions): OwnCommandHandler {
  const { store } = options;
  const maxAttempts = options.maxAttempts ?? 3;
  return async (input, context) => {
    // No bus validates this command: check it before anything is read.
    const data = await validate(
      RegisterCustomer.schema,
      (input as { data?: unknown } | null)?.data,
      'command RegisterCustomer',
    );
    const command = RegisterCustomer.create(data);
    const commandId = context.commandId ?? newEventId();
    const metadata = commandMetadata(command.type, context, commandId);
    const streams = registrationStreams(command);
    let lastError: ConcurrencyError | undefined;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      context.signal?.throwIfAborted();
      const [customer, email] = await Promise.all([
        fold(store, streams.customer, customerDecider),
        fold(store, streams.email, emailReservationDecider),
      ]);
      const expected = context.expectedVersion;
      if (expected !== undefined && !matchesExpectedVersion(expected, customer.version)) {
        throw new ConcurrencyError(streams.customer, expected, customer.version);
      }
      const writes = decideRegistration(
        command,
        { customer: customer.state, email: email.state },
        decisionContextOf(context),
      );
      // Name order (`customer-…` before `customer_email-…`), the order batches lock in.
      const appends = [
        { ...writes.customer, version: customer.version },
        { ...writes.email, version: email.version },
      ].filter((write) => write.events.length > 0);
      try {
        const recorded = await store.transaction(async (tx) => {
          const out: RecordedEvent[] = [];
          for (const { stream, events, version } of appends) {
            const result = await tx.append(
              stream,
              events.map((event) => ({ ...event, metadata })),
              { expectedVersion: expectedOf(version) },
            );
            for (const [i, event] of events.entries()) {
              out.push({
                ...event,
                id: result.ids[i]!,
                stream: result.stream,
                streamVersion: version + i + 1,
                position: result.positions[i] ?? result.position,
                schemaVersion: store.events?.get(event.type)?.version ?? 1,
                metadata: { timestamp: new Date().toISOString(), ...metadata },
              });
            }
          }
          return out;
        });
        return resultOf(streams.customer, customer.version, recorded, commandId);
      } catch (error) {
        if (!(error instanceof ConcurrencyError)) throw error;
        lastError = error;
      }
    }
    throw new RetriesExhaustedError(command.type, maxAttempts, lastError!);
  };
}

function resultOf(
  stream: CommandResult['stream'],
  readVersion: number,
  recorded: readonly RecordedEvent[],
  commandId: string,
): CommandResult {
  const own = recorded.filter((event) => event.stream === stream);
  const last = own.at(-1) ?? recorded.at(-1);
  return {
    stream,
    streamVersion: own.at(-1)?.streamVersion ?? readVersion,
    // The decider always records CustomerRegistered, so `last` exists.
    position: last!.position,
    events: recorded,
    commandId,
  };
}
