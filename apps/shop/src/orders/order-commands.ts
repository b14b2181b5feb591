import { type CommandOf, defineCommand } from '@duet/core';
import { z } from 'zod';

const orderId = z.string().min(1).max(64);
const sku = z.string().min(1).max(64);

export const AddItem = defineCommand(
  'AddItem',
  z.strictObject({
    orderId,
    sku,
    quantity: z.number().int().min(1).max(1_000),
    // With the catalog, the price comes from it and this is only the price the client
    // showed (refused if the catalog's differs); the orders service alone takes it as given.
    unitPriceCents: z.number().int().min(0).max(100_000_000).optional(),
  }),
  {
    description:
      "Put a quantity of a product in the cart at the catalog's price; the first item opens the cart for the caller. `unitPriceCents` is optional: the price you showed, refused (422 PRICE_CHANGED) if the catalog's differs.",
  },
);
export const RemoveItem = defineCommand(
  'RemoveItem',
  z.strictObject({ orderId, sku, quantity: z.number().int().min(1).max(1_000) }),
  { description: 'Take a quantity of a product out of the cart.' },
);
export const PlaceOrder = defineCommand('PlaceOrder', z.strictObject({ orderId }), {
  description: 'Turn the cart into an order.',
});
export const ConfirmOrder = defineCommand('ConfirmOrder', z.strictObject({ orderId }), {
  description: 'Accept a placed order (stock reserved, payment taken).',
});
export const CancelOrder = defineCommand(
  'CancelOrder',
  z.strictObject({ orderId, reason: z.string().min(1).max(500) }),
  { description: 'Cancel an order that has not shipped.' },
);
export const ShipOrder = defineCommand(
  'ShipOrder',
  z.strictObject({ orderId, trackingNumber: z.string().min(1).max(100) }),
  { description: 'Hand a confirmed order to the carrier.' },
);

export const orderCommands = [
  AddItem,
  RemoveItem,
  PlaceOrder,
  ConfirmOrder,
  CancelOrder,
  ShipOrder,
];

export type OrderCommand =
  | CommandOf<typeof AddItem>
  | CommandOf<typeof RemoveItem>
  | CommandOf<typeof PlaceOrder>
  | CommandOf<typeof ConfirmOrder>
  | CommandOf<typeof CancelOrder>
  | CommandOf<typeof ShipOrder>;
