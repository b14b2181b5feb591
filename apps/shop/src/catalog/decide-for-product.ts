import type { DecisionContext } from '@duet/core';
import type { ProductCommand } from './product-commands.ts';
import { productDecider, productStream } from './product-decider.ts';
import { expectedVersionOf, type StockStates, type StreamAppend } from './stock-plan.ts';

/**
 * Runs the product decider for one SKU of a multi-product plan, so planners apply the
 * very rules a single command would. Returns the append for the product's stream, or
 * `undefined` when the decision is a no-op; throws what the decider throws.
 *
 * @example
 * const append = decideForProduct(ReserveStock.create({ sku, orderId, quantity }), states, SYSTEM_CONTEXT);
 */
export function decideForProduct(
  command: Extract<ProductCommand, { data: { sku: string } }>,
  states: StockStates,
  context: DecisionContext,
): StreamAppend | undefined {
  const { sku } = command.data;
  // A SKU the wiring did not load is its bug, not an unknown product: never guess.
  if (!Object.hasOwn(states.products, sku)) {
    throw new TypeError(`the state of product ${sku} was not loaded (see skusToLoad)`);
  }
  const { state, version } = states.products[sku]!;
  const decided = productDecider.decide(command, state, context);
  const events = Array.isArray(decided) ? decided : [decided];
  if (events.length === 0) return undefined;
  return { stream: productStream(sku), expectedVersion: expectedVersionOf(version), events };
}
