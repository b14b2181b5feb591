import {
  type Decider,
  type DecisionContext,
  DomainError,
  NotFoundError,
  type StreamName,
  streamName,
} from '@duet/core';
import { requireRole, STAFF_ROLE, SYSTEM_ROLE } from './catalog-access.ts';
import type { ProductCommand } from './product-commands.ts';
import type { ProductEvent } from './product-events.ts';

// One stream per product holds both its catalog entry and its stock. Rules that tie the
// two (no stock for an unknown SKU, no new reservation of a discontinued product) stay
// inside one decision, with no cross-stream check to race. The cost is that a rare staff
// edit and a reservation of the same product can conflict on the stream version; the
// loser is decided again on fresh state. Hot products grow long streams: snapshot them.

export type ProductStatus = 'none' | 'active' | 'discontinued';

export interface ProductState {
  readonly status: ProductStatus;
  readonly name: string;
  readonly priceCents: number;
  /** Units in the warehouse, reserved ones included. */
  readonly onHand: number;
  /** Units held for orders: the sum of `reservations`. */
  readonly reserved: number;
  /** Open reservations, units by order id. A plain object, so snapshots store it as JSON. */
  readonly reservations: Readonly<Record<string, number>>;
}

/**
 * The stream of one product: `product-<sku>`.
 *
 * @example
 * productStream('tea-01') // 'product-tea-01'
 */
export function productStream(sku: string): StreamName {
  return streamName('product', sku);
}

/**
 * Units a new reservation may take: on hand minus reserved. Never below zero, because
 * `decide` refuses every reservation beyond it.
 *
 * @example
 * availableOf(foldEvents(productDecider, history)) // 3
 */
export function availableOf(state: ProductState): number {
  return state.onHand - state.reserved;
}

// Order ids are keys of a plain object: only own properties are reservations, or an
// order id such as `constructor` would find Object.prototype's members.
function reservationOf(state: ProductState, orderId: string): number | undefined {
  return Object.hasOwn(state.reservations, orderId) ? state.reservations[orderId] : undefined;
}

function withoutReservation(state: ProductState, orderId: string): ProductState['reservations'] {
  const { [orderId]: _, ...rest } = state.reservations;
  return rest;
}

function requireProduct(state: ProductState, sku: string): void {
  if (state.status === 'none') throw new NotFoundError('product', sku);
}

function requireActive(state: ProductState, sku: string, action: string): void {
  requireProduct(state, sku);
  if (state.status === 'discontinued') {
    throw new DomainError('PRODUCT_DISCONTINUED', `cannot ${action} ${sku}: it is discontinued`, {
      sku,
    });
  }
}

function decideCatalog(
  command: Extract<
    ProductCommand,
    { type: 'AddProduct' | 'RenameProduct' | 'ChangePrice' | 'DiscontinueProduct' | 'ReceiveStock' }
  >,
  state: ProductState,
): ProductEvent | ProductEvent[] {
  const { sku } = command.data;
  switch (command.type) {
    case 'AddProduct':
      if (state.status !== 'none') {
        throw new DomainError('PRODUCT_EXISTS', `product ${sku} already exists`, { sku });
      }
      return { type: 'ProductAdded', data: command.data };
    case 'RenameProduct':
      requireProduct(state, sku);
      return state.name === command.data.name ? [] : { type: 'ProductRenamed', data: command.data };
    case 'ChangePrice': {
      requireActive(state, sku, 'reprice');
      const previousPriceCents = state.priceCents;
      if (previousPriceCents === command.data.priceCents) return [];
      return { type: 'PriceChanged', data: { ...command.data, previousPriceCents } };
    }
    case 'DiscontinueProduct':
      requireProduct(state, sku);
      return state.status === 'discontinued' ? [] : { type: 'ProductDiscontinued', data: { sku } };
    case 'ReceiveStock':
      requireActive(state, sku, 'receive stock of');
      return { type: 'StockReceived', data: command.data };
  }
}

function decideStock(
  command: Extract<ProductCommand, { type: 'ReserveStock' | 'ReleaseStock' | 'ShipStock' }>,
  state: ProductState,
): ProductEvent | ProductEvent[] {
  const { sku, orderId } = command.data;
  const held = reservationOf(state, orderId);
  switch (command.type) {
    case 'ReserveStock': {
      requireActive(state, sku, 'reserve');
      const requested = command.data.quantity;
      // A redelivered request finds its reservation: nothing new, the same answer.
      if (held === requested) return [];
      if (held !== undefined) {
        throw new DomainError(
          'RESERVATION_MISMATCH',
          `order ${orderId} already holds ${held} of ${sku}, not ${requested}`,
          { sku, orderId, held, requested },
        );
      }
      const available = availableOf(state);
      if (requested > available) {
        throw new DomainError(
          'OUT_OF_STOCK',
          `${sku}: ${requested} requested, ${available} available`,
          { sku, requested, available },
        );
      }
      return { type: 'StockReserved', data: command.data };
    }
    // Without an open reservation there is nothing to give back or send: already done, or
    // never held. The order's reservation stream tells those apart, not this one.
    case 'ReleaseStock':
      return held === undefined
        ? []
        : { type: 'StockReleased', data: { sku, orderId, quantity: held } };
    case 'ShipStock':
      return held === undefined
        ? []
        : { type: 'StockShipped', data: { sku, orderId, quantity: held } };
  }
}

function decide(
  command: ProductCommand,
  state: ProductState,
  context: DecisionContext,
): ProductEvent | ProductEvent[] {
  switch (command.type) {
    case 'ReserveStock':
    case 'ReleaseStock':
    case 'ShipStock':
      // Only with the order's reservation stream (see plan-reservation.ts), or the two
      // would disagree: staff cannot hold or release units by hand.
      requireRole(context, [SYSTEM_ROLE], command.type);
      return decideStock(command, state);
    default:
      requireRole(context, [STAFF_ROLE], command.type);
      return decideCatalog(command, state);
  }
}

function evolve(state: ProductState, event: ProductEvent): ProductState {
  switch (event.type) {
    case 'ProductAdded':
      return {
        ...state,
        status: 'active',
        name: event.data.name,
        priceCents: event.data.priceCents,
      };
    case 'ProductRenamed':
      return { ...state, name: event.data.name };
    case 'PriceChanged':
      return { ...state, priceCents: event.data.priceCents };
    case 'ProductDiscontinued':
      return { ...state, status: 'discontinued' };
    case 'StockReceived':
      return { ...state, onHand: state.onHand + event.data.quantity };
    case 'StockReserved':
      return {
        ...state,
        reserved: state.reserved + event.data.quantity,
        reservations: { ...state.reservations, [event.data.orderId]: event.data.quantity },
      };
    case 'StockReleased':
      return {
        ...state,
        reserved: state.reserved - event.data.quantity,
        reservations: withoutReservation(state, event.data.orderId),
      };
    case 'StockShipped':
      return {
        ...state,
        onHand: state.onHand - event.data.quantity,
        reserved: state.reserved - event.data.quantity,
        reservations: withoutReservation(state, event.data.orderId),
      };
  }
}

/**
 * A product's write model: its catalog entry (staff only) and its stock, reserved,
 * released and shipped per order (system only). Stock never goes negative: a reservation
 * beyond `availableOf(state)` is refused with `OUT_OF_STOCK`, and the store's expected
 * version makes two reservations decided on the same state commit one at a time.
 *
 * @example
 * const state = foldEvents(productDecider, history);
 * productDecider.decide(ChangePrice.create({ sku: 'tea', priceCents: 500 }), state, staff);
 */
export const productDecider: Decider<ProductCommand, ProductState, ProductEvent> = {
  initialState: () => ({
    status: 'none',
    name: '',
    priceCents: 0,
    onHand: 0,
    reserved: 0,
    reservations: {},
  }),
  evolve,
  decide,
};
