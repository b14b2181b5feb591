import { defineCliConfig } from '../config/cli-config.ts';

// A --config module as an app would ship it: the tests' order streams fold into a count
// of items and a status.

interface OrderState {
  readonly items: number;
  readonly status: string;
}

export default defineCliConfig({
  deciders: {
    order: {
      initialState: (): OrderState => ({ items: 0, status: 'cart' }),
      evolve: (state, event) => {
        const order = state as OrderState;
        if (event.type === 'ItemAdded') return { ...order, items: order.items + 1 };
        if (event.type === 'OrderPlaced') return { ...order, status: 'placed' };
        return order;
      },
    },
  },
});
