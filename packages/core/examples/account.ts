// The example in the root README and packages/core/README.md. scripts/check-snippets.mjs
// checks the docs show exactly the region below; account.unit.test.ts runs it.
// #region readme-decider
import {
  type CommandOf,
  createCommandBus,
  createInMemoryEventStore,
  type Decider,
  DomainError,
  defineCommand,
  defineCommandHandler,
  defineEvent,
  type EventOf,
} from '@duet/core';
import { z } from 'zod';

const Deposit = defineCommand(
  'Deposit',
  z.strictObject({ account: z.string(), cents: z.number().int().positive() }),
);
const Deposited = defineEvent('Deposited', z.object({ account: z.string(), cents: z.number() }));

const account: Decider<
  CommandOf<typeof Deposit>,
  { balance: number },
  EventOf<typeof Deposited>
> = {
  initialState: () => ({ balance: 0 }),
  evolve: (state, event) => ({ balance: state.balance + event.data.cents }),
  decide: (command, state) => {
    if (state.balance + command.data.cents > 1_000_000) {
      throw new DomainError('BALANCE_LIMIT', 'an account holds at most 10,000.00');
    }
    return [Deposited.create(command.data)];
  },
};

export const store = createInMemoryEventStore();
export const bus = createCommandBus({
  store,
  handlers: [
    defineCommandHandler({
      decider: account,
      commands: [Deposit],
      stream: (command) => `account-${command.data.account}`,
    }),
  ],
});
// await bus.send(Deposit.create({ account: 'a1', cents: 500 }))
//   → { stream: 'account-a1', streamVersion: 1, position: '…', events: [...] }
// #endregion readme-decider
export { account, Deposit, Deposited };
