import { type Decider, DomainError } from '@duet/core';
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
  readonly lines: ReadonlyMap<string, OrderLine>;
}

function refuse(rule: string, message: string): never {
  throw new DomainError(rule, message);
}

function requireStatus(state: OrderState, allowed: readonly OrderStatus[], action: string): void {
  if (!allowed.includes(state.status)) {
    refuse(
      'ORDER_STATUS',
      `cannot ${action} an order that is ${state.status === 'none' ? 'not started' : state.status}`,
    );
  }
}

function decide(command: OrderCommand, state: OrderState): OrderEvent | OrderEvent[] {
  switch (command.type) {
    case 'AddItem': {
      requireStatus(state, ['none', 'cart'], 'add items to');
      if (state.customerId !== null && state.customerId !== command.data.customerId) {
        refuse('ORDER_OWNER', 'this cart belongs to another customer');
      }
      const line = state.lines.get(command.data.sku);
      if (line && line.unitPriceCents !== command.data.unitPriceCents) {
        refuse('PRICE_CHANGED', `${command.data.sku} is already in the cart at another price`);
      }
      return { type: 'ItemAdded', data: command.data };
    }
    case 'RemoveItem': {
      requireStatus(state, ['cart'], 'remove items from');
      const line = state.lines.get(command.data.sku);
      if (!line || line.quantity < command.data.quantity) {
        refuse(
          'NOT_IN_CART',
          `the cart has fewer than ${command.data.quantity} of ${command.data.sku}`,
        );
      }
      return { type: 'ItemRemoved', data: command.data };
    }
    case 'PlaceOrder': {
      requireStatus(state, ['cart'], 'place');
      if (state.lines.size === 0) refuse('EMPTY_CART', 'cannot place an order with an empty cart');
      const lines = [...state.lines].map(([sku, line]) => ({ sku, ...line }));
      const totalCents = lines.reduce((sum, line) => sum + line.quantity * line.unitPriceCents, 0);
      return {
        type: 'OrderPlaced',
        data: { orderId: command.data.orderId, customerId: state.customerId!, lines, totalCents },
      };
    }
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
      const lines = new Map(state.lines);
      const quantity = (lines.get(event.data.sku)?.quantity ?? 0) + event.data.quantity;
      lines.set(event.data.sku, { quantity, unitPriceCents: event.data.unitPriceCents });
      return { status: 'cart', customerId: event.data.customerId, lines };
    }
    case 'ItemRemoved': {
      const lines = new Map(state.lines);
      const line = lines.get(event.data.sku);
      const quantity = (line?.quantity ?? 0) - event.data.quantity;
      if (line && quantity > 0) lines.set(event.data.sku, { ...line, quantity });
      else lines.delete(event.data.sku);
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
 * cancelled. Pure: prices come in the command, nothing reads a clock.
 */
export const orderDecider: Decider<OrderCommand, OrderState, OrderEvent> = {
  initialState: () => ({ status: 'none', customerId: null, lines: new Map() }),
  evolve,
  decide,
};
