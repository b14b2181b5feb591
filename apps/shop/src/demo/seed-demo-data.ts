import {
  type CommandBus,
  type CommandContext,
  type EventStore,
  runInTenant,
  START_POSITION,
} from '@duet/core';
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

/** One demo tenant: who is in it, what it sells and which orders it starts with. */
interface DemoTenant {
  readonly tenant: string;
  readonly customers: readonly { id: string; name: string; city: string; country: string }[];
  readonly staff: string;
  readonly products: readonly { sku: string; name: string; priceCents: number }[];
  /** Each order's lines, and where it ends: left a cart, placed, or placed and shipped. */
  readonly orders: readonly {
    orderId: string;
    customer: string;
    lines: readonly [sku: string, quantity: number][];
    ends: 'shipped' | 'placed' | 'cart';
  }[];
}

/**
 * The shop's two demo tenants (the demo keys' principals belong to them). They share
 * names on purpose: both sell `tea` and both have an order `demo-1`, and neither sees the
 * other's.
 */
export const DEMO_TENANTS: readonly DemoTenant[] = [
  {
    tenant: 'shop',
    customers: [
      { id: 'ada', name: 'Ada Lovelace', city: 'London', country: 'GB' },
      { id: 'bob', name: 'Bob Dylan', city: 'Duluth', country: 'US' },
    ],
    staff: 'sam',
    products: [
      { sku: 'tea', name: 'Green tea', priceCents: 450 },
      { sku: 'mug', name: 'Mug', priceCents: 1200 },
      { sku: 'pen', name: 'Pen', priceCents: 150 },
      { sku: 'notebook', name: 'Notebook', priceCents: 800 },
    ],
    orders: [
      {
        orderId: 'demo-1',
        customer: 'ada',
        lines: [
          ['tea', 2],
          ['mug', 1],
        ],
        ends: 'shipped',
      },
      { orderId: 'demo-2', customer: 'ada', lines: [['pen', 3]], ends: 'cart' },
      { orderId: 'demo-3', customer: 'bob', lines: [['notebook', 1]], ends: 'placed' },
    ],
  },
  {
    tenant: 'outlet',
    customers: [{ id: 'cy', name: 'Cy Twombly', city: 'Rome', country: 'IT' }],
    staff: 'olu',
    products: [
      { sku: 'tea', name: 'Black tea', priceCents: 300 },
      { sku: 'lamp', name: 'Desk lamp', priceCents: 2500 },
    ],
    orders: [
      {
        orderId: 'demo-1',
        customer: 'cy',
        lines: [
          ['lamp', 1],
          ['tea', 4],
        ],
        ends: 'shipped',
      },
    ],
  },
];

/**
 * A little demo data on first run, in each demo tenant (`DEMO_TENANTS`): its customers
 * registered, its products in stock, a shipped order, and in `shop` an open cart and a
 * placed order. Without the services of the saga, staff confirm the shipped order. A
 * tenant's service is seeded only while that tenant has no events there. Returns how many
 * commands it sent (0 when every tenant has data).
 */
export async function seedDemoData(services: DemoServices): Promise<number> {
  let sent = 0;
  for (const tenant of DEMO_TENANTS) {
    sent += await runInTenant(tenant.tenant, () => seedTenant(services, tenant));
  }
  return sent;
}

async function seedTenant(services: DemoServices, demo: DemoTenant): Promise<number> {
  let sent = 0;
  const { tenant } = demo;
  const as = (actor: string, role: string): CommandContext => ({ actor, tenant, roles: [role] });
  const staff = as(demo.staff, 'staff');
  const send = async (bus: CommandBus, command: unknown, context: CommandContext) => {
    await bus.send(command as Parameters<CommandBus['send']>[0], context);
    sent++;
  };
  const { customers, catalog, orders } = services;
  if (customers && (await isEmpty(customers.store))) {
    for (const { id, name, city, country } of demo.customers) {
      await send(
        customers.commands,
        RegisterCustomer.create({
          customerId: id,
          name,
          email: `${id}@example.com`,
          shippingAddress: { line1: '1 Demo Street', city, postalCode: '10001', country },
        }),
        as(id, 'customer'),
      );
    }
  }
  if (catalog && (await isEmpty(catalog.store))) {
    for (const { sku, name, priceCents } of demo.products) {
      await send(catalog.commands, AddProduct.create({ sku, name, priceCents }), staff);
      await send(catalog.commands, ReceiveStock.create({ sku, quantity: 100 }), staff);
    }
  }
  if (!(await isEmpty(orders.store))) return sent;
  await orders.prices?.waitFor(demo.products.map((product) => product.sku));
  const bus = orders.commands;
  for (const { orderId, customer, lines, ends } of demo.orders) {
    const context = as(customer, 'customer');
    for (const [sku, quantity] of lines) {
      await send(bus, AddItem.create({ orderId, sku, quantity }), context);
    }
    if (ends === 'cart') continue;
    await send(bus, PlaceOrder.create({ orderId }), context);
    if (ends === 'placed') continue;
    if (orders.placement) await confirmedBySaga(orders.store, orderId);
    else await send(bus, ConfirmOrder.create({ orderId }), staff);
    await send(bus, ShipOrder.create({ orderId, trackingNumber: `TRK-${tenant}-1` }), staff);
  }
  return sent;
}

const isEmpty = async (store: EventStore) => (await store.headPosition()) === START_POSITION;

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
