import { type CommandOf, defineCommand } from '@duet/core';
import { z } from 'zod';

// A SKU names a stream (`product-<sku>`) and shows in URLs and logs: letters, digits and
// `._-`, so nothing needs escaping anywhere. The orders service accepts any SKU; one the
// catalog never added is refused at reservation as UNKNOWN_PRODUCT.
export const skuSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, ".", "_" and "-"');
const orderId = z.string().min(1).max(64);
const name = z.string().trim().min(1).max(200);
// Positive: a price of 0 is what issue 11's newcomer could type into a cart; the catalog
// does not offer it either.
const priceCents = z.number().int().min(1).max(100_000_000);
const quantity = z.number().int().min(1).max(1_000_000);

export const AddProduct = defineCommand(
  'AddProduct',
  z.strictObject({
    sku: skuSchema,
    name,
    description: z.string().max(2_000).optional(),
    priceCents,
  }),
  { description: 'Add a product to the catalog at a price (staff).' },
);
export const RenameProduct = defineCommand(
  'RenameProduct',
  z.strictObject({ sku: skuSchema, name }),
  {
    description: "Change a product's name (staff).",
  },
);
export const ChangePrice = defineCommand(
  'ChangePrice',
  z.strictObject({ sku: skuSchema, priceCents }),
  { description: 'Set the price new orders pay; placed orders keep theirs (staff).' },
);
export const DiscontinueProduct = defineCommand(
  'DiscontinueProduct',
  z.strictObject({ sku: skuSchema }),
  { description: 'Stop selling a product; open reservations may still ship (staff).' },
);
export const ReceiveStock = defineCommand(
  'ReceiveStock',
  z.strictObject({ sku: skuSchema, quantity }),
  { description: 'Count units that arrived in the warehouse (staff).' },
);
export const ReserveStock = defineCommand(
  'ReserveStock',
  z.strictObject({ sku: skuSchema, orderId, quantity }),
  { description: 'Hold units for an order (system, for the placement saga).' },
);
export const ReleaseStock = defineCommand(
  'ReleaseStock',
  z.strictObject({ sku: skuSchema, orderId }),
  { description: "Give an order's held units back (system, for the placement saga)." },
);
export const ShipStock = defineCommand('ShipStock', z.strictObject({ sku: skuSchema, orderId }), {
  description: "Send an order's held units out of the warehouse (system, for the placement saga).",
});

export const productCommands = [
  AddProduct,
  RenameProduct,
  ChangePrice,
  DiscontinueProduct,
  ReceiveStock,
  ReserveStock,
  ReleaseStock,
  ShipStock,
];

export type ProductCommand =
  | CommandOf<typeof AddProduct>
  | CommandOf<typeof RenameProduct>
  | CommandOf<typeof ChangePrice>
  | CommandOf<typeof DiscontinueProduct>
  | CommandOf<typeof ReceiveStock>
  | CommandOf<typeof ReserveStock>
  | CommandOf<typeof ReleaseStock>
  | CommandOf<typeof ShipStock>;
