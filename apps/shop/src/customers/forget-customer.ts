import {
  AuthorizationError,
  type CommandResult,
  NotFoundError,
  newEventId,
  validate,
} from '@duet/core';
import {
  forgetPersonalData,
  type PostgresEventStore,
  type PostgresPersonalDataKeys,
} from '@duet/postgres';
import type { OwnCommandHandler } from '../service-kit/route-commands.ts';
import { ForgetCustomer } from './customer-commands.ts';
import { STAFF_ROLE } from './customer-roles.ts';
import { customerStream } from './customer-stream.ts';
import { customerSubject } from './customer-subject.ts';

/** Options of `createForgetCustomerHandler`. */
export interface ForgetCustomerHandlerOptions {
  readonly store: PostgresEventStore;
  /** The customers' key table, in the store's database. */
  readonly keys: PostgresPersonalDataKeys;
}

/**
 * `ForgetCustomer`, staff only: deletes the customer's key (its name, email and addresses
 * become unreadable in every event, snapshot, broker message and backup), drops the
 * customer's snapshots, and records `PersonalDataForgotten` without personal data, all in
 * one transaction. Non-staff get 403 before anything is read; an unknown customer 404.
 * Sending it again changes nothing and answers with the first erasure's position.
 *
 * @example
 * const forget = createForgetCustomerHandler({ store, keys });
 * await forget(ForgetCustomer.create({ customerId: 'ada' }), { actor: 'sam', roles: ['staff'] });
 */
export function createForgetCustomerHandler(
  options: ForgetCustomerHandlerOptions,
): OwnCommandHandler {
  const { store, keys } = options;
  return async (input, context): Promise<CommandResult> => {
    if (!context.roles?.includes(STAFF_ROLE)) {
      throw new AuthorizationError(
        ForgetCustomer.type,
        'only staff forget customers',
        context.actor,
      );
    }
    const { customerId } = await validate(
      ForgetCustomer.schema,
      (input as { data?: unknown } | null)?.data,
      'command ForgetCustomer',
    );
    const stream = customerStream(customerId);
    if ((await store.streamInfo(stream)) === null) throw new NotFoundError('customer', customerId);
    const forgot = await forgetPersonalData({
      store,
      keys,
      subject: customerSubject(customerId),
      by: context.actor ?? 'staff',
      streams: [stream],
    });
    // The erasure event (new, or the one a first call recorded): only a subject id in it.
    const events = [];
    for await (const event of store.readStream(forgot.stream, { maxCount: 1 })) events.push(event);
    const erasure = events[0];
    if (!erasure) throw new Error(`the forget of customer ${customerId} recorded no erasure`);
    return {
      stream: erasure.stream,
      streamVersion: erasure.streamVersion,
      position: erasure.position,
      events: forgot.position === null ? [] : events,
      commandId: context.commandId ?? newEventId(),
    };
  };
}
