import { type CommandBus, DomainError, type EventStore, stateAt } from '@duet/core';
import {
  AddItem,
  ConfirmOrder,
  PlaceOrder,
  RemoveItem,
  ShipOrder,
} from '../orders/order-commands.ts';
import { orderDecider } from '../orders/order-decider.ts';

/**
 * Walks one order through its life on the real command bus and store, printing each step,
 * then shows a refused command and the order as it was three events ago.
 */
export async function runOrderDemo(
  bus: CommandBus,
  store: EventStore,
  print: (line: string) => void,
): Promise<void> {
  const orderId = `demo-${Date.now().toString(36)}`;
  const context = { actor: 'customer-ada', tenant: 'shop' };
  const steps = [
    AddItem.create({ orderId, sku: 'tea', quantity: 2, unitPriceCents: 450 }),
    AddItem.create({ orderId, sku: 'mug', quantity: 1, unitPriceCents: 1200 }),
    RemoveItem.create({ orderId, sku: 'tea', quantity: 1 }),
    PlaceOrder.create({ orderId }),
    ConfirmOrder.create({ orderId }),
    ShipOrder.create({ orderId, trackingNumber: 'TRK-1' }),
  ];
  for (const command of steps) {
    const result = await bus.send(command, context);
    print(
      `${command.type.padEnd(13)} → ${result.stream} v${result.streamVersion} at ${result.position}`,
    );
  }
  try {
    await bus.send(
      AddItem.create({ orderId, sku: 'tea', quantity: 1, unitPriceCents: 450 }),
      context,
    );
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    print(`AddItem after shipping is refused: ${error.rule}: ${error.message}`);
  }
  print(`events in order-${orderId}:`);
  for await (const event of store.readStream(`order-${orderId}`)) {
    print(`  v${event.streamVersion} ${event.type} ${JSON.stringify(event.data)}`);
  }
  const { state } = await stateAt(store, orderDecider, `order-${orderId}`, { version: 3 });
  print(`the order as of v3: ${state.status}, lines ${JSON.stringify(state.lines)}`);
}
