import {
  AuthorizationError,
  ConcurrencyError,
  newEventId,
  RetriesExhaustedError,
  START_POSITION,
  toStreamName,
  validate,
} from '@duet/core';
import { matchesExpectedVersion } from '@duet/core/adapters';
import type { PostgresEventStore } from '@duet/postgres';
import { commandMetadata } from '../service-kit/command-metadata.ts';
import { decideInTransaction } from '../service-kit/decide-in-transaction.ts';
import type { OwnCommandHandler } from '../service-kit/route-commands.ts';
import { decideWithGateway } from './decide-with-gateway.ts';
import { RefundPayment, VoidPayment } from './payment-commands.ts';
import { paymentDecider, paymentIdOf, STAFF_ROLE } from './payment-decider.ts';
import type { PaymentGateway } from './payment-gateway.ts';

/** The payment commands staff send over HTTP. */
export const staffPaymentCommands = [VoidPayment, RefundPayment];

/** Options of `createStaffPaymentHandler`. */
export interface StaffPaymentHandlerOptions {
  readonly store: PostgresEventStore;
  readonly gateway: PaymentGateway;
  /** Transactions tried before a lost race gives up (default 3). */
  readonly maxAttempts?: number;
}

// Staff act as staff, whatever else the principal holds: `system` (every command, a void
// of a missing payment taken as done) is the saga's, never an HTTP caller's.
const staffContext = (actor: string | undefined) => ({
  ...(actor === undefined ? {} : { actor }),
  roles: [STAFF_ROLE],
});

/**
 * `VoidPayment` and `RefundPayment` from staff. Not a plain decider handler: the decider
 * alone would record a void or refund the bank never made. This one folds the payment,
 * lets `decideWithGateway` call the gateway (same idempotency keys as the saga's
 * requests, so a staff void and a saga void release once), and appends expecting the
 * version it read, in one transaction, tried again on a lost race. Non-staff get 403
 * before anything is read; `If-Match` is checked against the payment's stream.
 *
 * @example
 * const handler = createStaffPaymentHandler({ store, gateway });
 * await handler(VoidPayment.create({ orderId: 'o-1', reason: 'customer called' }), { actor: 'sam', roles: ['staff'] });
 */
export function createStaffPaymentHandler(options: StaffPaymentHandlerOptions): OwnCommandHandler {
  const { store, gateway } = options;
  const maxAttempts = options.maxAttempts ?? 3;
  return async (input, context) => {
    const { type, data } = (input ?? {}) as { type?: unknown; data?: unknown };
    const definition = type === VoidPayment.type ? VoidPayment : RefundPayment;
    const subject = `command ${definition.type}`;
    if (!context.roles?.includes(STAFF_ROLE)) {
      throw new AuthorizationError(definition.type, 'only staff void or refund', context.actor);
    }
    const command =
      definition === VoidPayment
        ? VoidPayment.create(await validate(VoidPayment.schema, data, subject))
        : RefundPayment.create(await validate(RefundPayment.schema, data, subject));
    const commandId = context.commandId ?? newEventId();
    const stream = toStreamName(paymentIdOf(command.data.orderId));
    let lastError: ConcurrencyError | undefined;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      context.signal?.throwIfAborted();
      try {
        const decided = await store.transaction((tx) =>
          decideInTransaction({
            tx,
            store,
            stream,
            evolver: paymentDecider,
            decide: (state, version) => {
              const expected = context.expectedVersion;
              if (expected !== undefined && !matchesExpectedVersion(expected, version)) {
                throw new ConcurrencyError(stream, expected, version);
              }
              return decideWithGateway(command, state, gateway, staffContext(context.actor));
            },
            metadata: commandMetadata(command.type, context, commandId),
            attempts: 1,
          }),
        );
        const last = decided.events.at(-1);
        const position = last?.position ?? (await store.streamInfo(stream))?.position;
        return {
          stream,
          streamVersion: decided.version,
          position: position ?? START_POSITION,
          events: decided.events,
          commandId,
        };
      } catch (error) {
        // The caller's If-Match is about what they saw: no retry can satisfy it.
        if (!(error instanceof ConcurrencyError) || context.expectedVersion !== undefined) {
          throw error;
        }
        lastError = error;
      }
    }
    throw new RetriesExhaustedError(command.type, maxAttempts, lastError!);
  };
}
