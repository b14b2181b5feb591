import { defineCommandHandler } from '@duet/core';
import { ChangeShippingAddress, RenameCustomer, SetCreditLimit } from './customer-commands.ts';
import { customerDecider } from './customer-decider.ts';
import { customerStream } from './customer-stream.ts';

/**
 * The customer commands clients send that touch the customer's stream alone. Credit
 * reservations are not here: the saga's requests are answered by the consumer, in its
 * inbox transaction (see `answerCreditRequest`), and never reach the HTTP edge.
 *
 * @example
 * createCommandBus({ store, handlers: [customerHandler], policies: customerPolicies });
 */
export const customerHandler = defineCommandHandler({
  decider: customerDecider,
  commands: [RenameCustomer, ChangeShippingAddress, SetCreditLimit],
  stream: (command) => customerStream(command.data.customerId),
  // Every order adds a credit event or two: long-lived customers have long streams.
  snapshot: { version: 1, every: 50 },
});
