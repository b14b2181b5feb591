import { type Decider, type DecisionContext, DomainError, NotFoundError } from '@duet/core';
import type { OrderCommand } from './order-commands.ts';
import type { OrderEvent } from './order-events.ts';

export type OrderStatus = 'none' | 'cart' | 'placed' | 'confirmed' | 'cancelled' | 'shipped';

export interface OrderLine {
  readonly quantity: number;
  readonly unitPriceCents: number;
}

export interface OrderState {
  readonly status: OrderStatus;
  readonly customerId: string | null;
  /** By SKU. A plain object, not a Map, so snapshots store it as JSON. */
  readonly lines: Readonly<Record<string, OrderLine>>;
}

/** Staff see and handle every order; customers only their own. */
export const STAFF_ROLE = 'staff';

// SKUs are keys of a plain object: only its own properties are lines, or a SKU named
// `constructor` or `__proto__` would find Object.prototype's members in every cart.
function lineOf(state: OrderState, sku: string): OrderLine | undefined {
  return Object.hasOwn(state.lines, sku) ? state.lines[sku] : undefined;
}

function refuse(rule: string, message: string): never {
  throw new DomainError(rule, message);
}

function requireStatus(state: OrderState, allowed: readonly OrderStatus[], action: string): void {
  if (!allowed.includes(state.status)) {
    refuse('ORDER_STATUS', `cannot ${action} an order that is ${state.status}`);
  }
}

// A missing order and someone else's order answer alike, so callers learn nothing of
// orders that are not theirs.
function requireAccess(state: OrderState, orderId: string, context: DecisionContext): void {
  const staff = context.roles.includes(STAFF_ROLE);
  if (state.status === 'none' || (!staff && state.customerId !== context.actor)) {
    throw new NotFoundError('order', orderId);
  }
}

function decide(
  command: OrderCommand,
  state: OrderState,
  context: DecisionContext,
): OrderEvent | OrderEvent[] {
  if (command.type === 'AddItem') {
    const customerId = context.actor;
    if (customerId === undefined)
      refuse('CUSTOMER_REQUIRED', 'only a signed-in customer has a cart');
    if (state.status !== 'none' && state.customerId !== customerId) {
      throw new NotFoundError('order', command.data.orderId);
    }
    requireStatus(state, ['none', 'cart'], 'add items to');
    // Set by the catalog's price list when there is one (pricing/), else by the client.
    const { unitPriceCents } = command.data;
    if (unitPriceCents === undefined) refuse('PRICE_REQUIRED', 'unitPriceCents is required');
    const line = lineOf(state, command.data.sku);
    if (line && line.unitPriceCents !== unitPriceCents) {
      refuse('PRICE_CHANGED', `${command.data.sku} is already in the cart at another price`);
    }
    return { type: 'ItemAdded', data: { ...command.data, unitPriceCents, customerId } };
  }
  requireAccess(state, command.data.orderId, context);
  switch (command.type) {
    case 'RemoveItem': {
      requireStatus(state, ['cart'], 'remove items from');
      const line = lineOf(state, command.data.sku);
      if (!line || line.quantity < command.data.quantity) {
        refuse(
          'NOT_IN_CART',
          `the cart has fewer than ${command.data.quantity} of ${command.data.sku}`,
        );
      }
      return {
        type: 'ItemRemoved',
        data: { ...command.data, unitPriceCents: line.unitPriceCents },
      };
    }
    // #region place-order
    case 'PlaceOrder': {
      requireStatus(state, ['cart'], 'place');
      const lines = Object.entries(state.lines).map(([sku, line]) => ({ sku, ...line }));
      if (lines.length === 0) refuse('EMPTY_CART', 'cannot place an order with an empty cart');
      const totalCents = lines.reduce((sum, line) => sum + line.quantity * line.unitPriceCents, 0);
      return {
        type: 'OrderPlaced',
        data: { orderId: command.data.orderId, customerId: state.customerId!, lines, totalCents },
      };
    }
    // #endregion place-order
    case 'ConfirmOrder':
      requireStatus(state, ['placed'], 'confirm');
      return { type: 'OrderConfirmed', data: command.data };
    case 'CancelOrder':
      requireStatus(state, ['cart', 'placed', 'confirmed'], 'cancel');
      return { type: 'OrderCancelled', data: command.data };
    case 'ShipOrder':
      requireStatus(state, ['confirmed'], 'ship');
      return { type: 'OrderShipped', data: command.data };
  }
}

function evolve(state: OrderState, event: OrderEvent): OrderState {
  switch (event.type) {
    case 'ItemAdded': {
      const quantity = (lineOf(state, event.data.sku)?.quantity ?? 0) + event.data.quantity;
      const lines = {
        ...state.lines,
        [event.data.sku]: { quantity, unitPriceCents: event.data.unitPriceCents },
      };
      return { status: 'cart', customerId: event.data.customerId, lines };
    }
    case 'ItemRemoved': {
      const { [event.data.sku]: _, ...rest } = state.lines;
      const line = lineOf(state, event.data.sku);
      const quantity = (line?.quantity ?? 0) - event.data.quantity;
      const lines =
        line && quantity > 0 ? { ...rest, [event.data.sku]: { ...line, quantity } } : rest;
      return { ...state, lines };
    }
    case 'OrderPlaced':
      return { ...state, status: 'placed' };
    case 'OrderConfirmed':
      return { ...state, status: 'confirmed' };
    case 'OrderCancelled':
      return { ...state, status: 'cancelled' };
    case 'OrderShipped':
      return { ...state, status: 'shipped' };
  }
}

/**
 * The order's write model: a cart that becomes an order, then is confirmed, shipped or
 * cancelled. Pure: prices come in the command, the customer from the decision context.
 */
export const orderDecider: Decider<OrderCommand, OrderState, OrderEvent> = {
  initialState: () => ({ status: 'none', customerId: null, lines: {} }),
  evolve,
  decide,
};
