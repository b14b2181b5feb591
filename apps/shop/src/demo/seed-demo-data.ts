import { START_POSITION } from '@duet/core';
import { AddItem, ConfirmOrder, PlaceOrder, ShipOrder } from '../orders/order-commands.ts';
import type { OrdersService } from '../orders/orders-service.ts';

/**
 * A little demo data on first run (an empty store): a shipped order and an open cart for
 * ada, a placed order for bob. Returns how many commands it sent (0 when data exists).
 */
export async function seedDemoData(orders: OrdersService): Promise<number> {
  if ((await orders.store.headPosition()) !== START_POSITION) return 0;
  const ada = { actor: 'ada', tenant: 'shop', roles: ['customer'] };
  const bob = { actor: 'bob', tenant: 'shop', roles: ['customer'] };
  const staff = { actor: 'sam', tenant: 'shop', roles: ['staff'] };
  const steps = [
    [AddItem.create({ orderId: 'demo-1', sku: 'tea', quantity: 2, unitPriceCents: 450 }), ada],
    [AddItem.create({ orderId: 'demo-1', sku: 'mug', quantity: 1, unitPriceCents: 1200 }), ada],
    [PlaceOrder.create({ orderId: 'demo-1' }), ada],
    [ConfirmOrder.create({ orderId: 'demo-1' }), staff],
    [ShipOrder.create({ orderId: 'demo-1', trackingNumber: 'TRK-0001' }), staff],
    [AddItem.create({ orderId: 'demo-2', sku: 'pen', quantity: 3, unitPriceCents: 150 }), ada],
    [AddItem.create({ orderId: 'demo-3', sku: 'notebook', quantity: 1, unitPriceCents: 800 }), bob],
    [PlaceOrder.create({ orderId: 'demo-3' }), bob],
  ] as const;
  for (const [command, context] of steps) await orders.commands.send(command, context);
  return steps.length;
}
