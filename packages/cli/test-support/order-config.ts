import { defineProjection } from '@duet/core';
import { defineCliConfig } from '../src/config/cli-config.ts';

// A --config module as an app would ship it: the tests' order streams fold into a count
// of items and a status, and one projection counts items per order. While the variable
// DUET_TEST_POISON_SKU names a SKU, applying an event of it fails (and is dead-lettered):
// a "bug" the test fixes by running the CLI without it.

interface OrderState {
  readonly items: number;
  readonly status: string;
}

const itemsPerOrder = defineProjection({
  name: 'items_per_order',
  events: ['ItemAdded'],
  onFailure: 'skip',
  async setup(tx, tables) {
    await tx.query(
      `CREATE TABLE ${tables.name('orders')} (stream text PRIMARY KEY, items integer NOT NULL)`,
    );
  },
  async apply(tx, events, tables) {
    for (const event of events) {
      const { sku } = event.data as { sku: string };
      if (sku === process.env.DUET_TEST_POISON_SKU) throw new Error(`cannot apply ${sku}`);
      await tx.query(
        `INSERT INTO ${tables.name('orders')} AS o (stream, items) VALUES ($1, 1)
         ON CONFLICT (stream) DO UPDATE SET items = o.items + 1`,
        [event.stream],
      );
    }
  },
});

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
  projections: [itemsPerOrder],
  // Each test run names its own runner schemas, so runs on one server never meet.
  projectionRunner: {
    schema: process.env.DUET_TEST_RUNNER_SCHEMA ?? 'duet_projections',
    readModelSchema: process.env.DUET_TEST_READ_MODEL_SCHEMA ?? 'read_models',
  },
});
