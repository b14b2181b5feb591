import { type CommandBus, DomainError, validate } from '@duet/core';
import type { SqlExecutor } from '@duet/postgres';
import type { OwnCommandHandler } from '../../service-kit/route-commands.ts';
import { AddItem } from '../order-commands.ts';
import { readListedProduct } from './price-list.ts';

/**
 * `AddItem` priced by the catalog: the line takes the price the orders service last heard
 * from the catalog (its `price_list_v2`), whatever the client says. A client may still send
 * `unitPriceCents`, the price it showed its user: if the catalog's differs, the command is
 * refused (PRICE_CHANGED, with the current price), so nobody pays a price they did not see.
 * A product the orders service has not heard of (yet: a new product takes a moment to
 * arrive) is UNKNOWN_PRODUCT; a discontinued one PRODUCT_DISCONTINUED. All are 422s.
 *
 * @example
 * const commands = routeCommands(bus, { AddItem: priceFromCatalog(bus, executor, 'orders') });
 */
export function priceFromCatalog(
  bus: CommandBus,
  executor: SqlExecutor,
  schema: string,
): OwnCommandHandler {
  return async (command, context) => {
    // Checked before the look-up (the bus checks the priced command again).
    const data = await validate(
      AddItem.schema,
      (command as { data?: unknown } | null)?.data,
      'command AddItem',
    );
    const { sku, unitPriceCents: quoted } = data;
    const product = await readListedProduct(executor, schema, sku);
    if (!product) {
      throw new DomainError('UNKNOWN_PRODUCT', `the orders service knows no product ${sku} (yet)`, {
        sku,
      });
    }
    if (product.discontinued) {
      throw new DomainError('PRODUCT_DISCONTINUED', `${sku} is no longer sold`, { sku });
    }
    if (quoted !== undefined && quoted !== product.priceCents) {
      throw new DomainError(
        'PRICE_CHANGED',
        `${sku} costs ${product.priceCents} cents now, not ${quoted}`,
        { sku, priceCents: product.priceCents },
      );
    }
    return bus.send(
      { ...(command as object), data: { ...data, unitPriceCents: product.priceCents } },
      context,
    );
  };
}
