import { defineCommandHandler } from '@duet/core';
import {
  AddProduct,
  ChangePrice,
  DiscontinueProduct,
  ReceiveStock,
  RenameProduct,
} from './product-commands.ts';
import { productDecider, productStream } from './product-decider.ts';

/**
 * The product commands staff send, over the command bus and HTTP. `ReserveStock`,
 * `ReleaseStock` and `ShipStock` are not here: only the stock-request consumer decides
 * them, together with the order's reservation stream (run-stock-request.ts).
 */
export const catalogCommands = [
  AddProduct,
  RenameProduct,
  ChangePrice,
  DiscontinueProduct,
  ReceiveStock,
];

/**
 * Routes the staff commands to the product's stream, `product-<sku>`. Snapshots keep a
 * busy product's commands fast: every reservation adds to its stream.
 *
 * @example
 * createCommandBus({ store, handlers: [productHandler], policies: catalogPolicies });
 */
export const productHandler = defineCommandHandler({
  decider: productDecider,
  commands: catalogCommands,
  stream: (command) => productStream(command.data.sku),
  snapshot: { version: 1, every: 50 },
});
