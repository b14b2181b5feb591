import { type CommandBus, type CommandContext, type EventStore, START_POSITION } from '@duet/core';
import { AddProduct, ReceiveStock } from '../catalog/product-commands.ts';
import { RegisterCustomer } from '../customers/customer-commands.ts';
import { AddItem, ConfirmOrder, PlaceOrder, ShipOrder } from '../orders/order-commands.ts';

/** The services the demo data goes into; each is seeded only while its store is empty. */
export interface DemoServices {
  readonly customers?: { readonly commands: CommandBus; readonly store: EventStore };
  readonly catalog?: { readonly commands: CommandBus; readonly store: EventStore };
  readonly orders: {
    readonly commands: CommandBus;
    readonly store: EventStore;
    /** With the placement saga (not null): demo-1 is shipped once the saga confirmed it. */
    readonly placement?: unknown;
    /** Priced by the catalog (not null): the demo waits until orders has heard of the products. */
    readonly prices?: { waitFor(skus: readonly string[]): Promise<void> } | null;
  };
}

const ada: CommandContext = { actor: 'ada', tenant: 'shop', roles: ['customer'] };
const bob: CommandContext = { actor: 'bob', tenant: 'shop', roles: ['customer'] };
const staff: CommandContext = { actor: 'sam', tenant: 'shop', roles: ['staff'] };

const isEmpty = async (store: EventStore) => (await store.headPosition()) === START_POSITION;

/**
 * A little demo data on first run: the demo keys' customers (ada, bob) registered, four
 * products in stock, a shipped order and an open cart for ada, a placed order for bob.
 * Without the services of the saga, staff confirm demo-1. Returns how many commands it
 * sent (0 when every store has data).
 */
export async function seedDemoData(services: DemoServices): Promise<number> {
  let sent = 0;
  const send = async (bus: CommandBus, command: unknown, context: CommandContext) => {
    await bus.send(command as Parameters<CommandBus['send']>[0], context);
    sent++;
  };
  const { customers, catalog, orders } = services;
  if (customers && (await isEmpty(customers.store))) {
    for (const [context, name, city] of [
      [ada, 'Ada Lovelace', 'London'],
      [bob, 'Bob Dylan', 'Duluth'],
    ] as const) {
      await send(
        customers.commands,
        RegisterCustomer.create({
          customerId: context.actor!,
          name,
          email: `${context.actor}@example.com`,
          shippingAddress: { line1: '1 Demo Street', city, postalCode: '10001', country: 'GB' },
        }),
        context,
      );
    }
  }
  if (catalog && (await isEmpty(catalog.store))) {
    for (const [sku, name, priceCents] of [
      ['tea', 'Green tea', 450],
      ['mug', 'Mug', 1200],
      ['pen', 'Pen', 150],
      ['notebook', 'Notebook', 800],
    ] as const) {
      await send(catalog.commands, AddProduct.create({ sku, name, priceCents }), staff);
      await send(catalog.commands, ReceiveStock.create({ sku, quantity: 100 }), staff);
    }
  }
  if (!(await isEmpty(orders.store))) return sent;
  await orders.prices?.waitFor(['tea', 'mug', 'pen', 'notebook']);
  const bus = orders.commands;
  await send(bus, AddItem.create({ orderId: 'demo-1', sku: 'tea', quantity: 2 }), ada);
  await send(bus, AddItem.create({ orderId: 'demo-1', sku: 'mug', quantity: 1 }), ada);
  await send(bus, PlaceOrder.create({ orderId: 'demo-1' }), ada);
  if (orders.placement) await confirmedBySaga(orders.store, 'demo-1');
  else await send(bus, ConfirmOrder.create({ orderId: 'demo-1' }), staff);
  await send(bus, ShipOrder.create({ orderId: 'demo-1', trackingNumber: 'TRK-0001' }), staff);
  await send(bus, AddItem.create({ orderId: 'demo-2', sku: 'pen', quantity: 3 }), ada);
  await send(bus, AddItem.create({ orderId: 'demo-3', sku: 'notebook', quantity: 1 }), bob);
  await send(bus, PlaceOrder.create({ orderId: 'demo-3' }), bob);
  return sent;
}

/** Waits until the saga's ConfirmOrder (or CancelOrder) reached the order's stream. */
async function confirmedBySaga(store: EventStore, orderId: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const types: string[] = [];
    for await (const event of store.readStream(`order-${orderId}`)) types.push(event.type);
    if (types.includes('OrderConfirmed')) return;
    if (types.includes('OrderCancelled') || Date.now() > deadline) {
      throw new Error(`demo data: the saga did not confirm ${orderId} (${types.join(', ')})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
