import { DomainError, NotFoundError } from '@duet/core';
import { deciderSpec } from '@duet/core/testing';
import { describe, it } from 'vitest';
import {
  AddItem,
  CancelOrder,
  ConfirmOrder,
  PlaceOrder,
  RemoveItem,
  ShipOrder,
} from './order-commands.ts';
import { orderDecider } from './order-decider.ts';
import type { OrderEvent } from './order-events.ts';

const spec = deciderSpec(orderDecider);
const ada = { actor: 'ada', roles: ['customer'] };
const bob = { actor: 'bob', roles: ['customer'] };
const staff = { actor: 'sam', roles: ['staff'] };
const orderId = 'o-1';
const teaAdded: OrderEvent = {
  type: 'ItemAdded',
  data: { orderId, customerId: 'ada', sku: 'tea', quantity: 2, unitPriceCents: 450 },
};
const mugAdded: OrderEvent = {
  type: 'ItemAdded',
  data: { orderId, customerId: 'ada', sku: 'mug', quantity: 1, unitPriceCents: 1200 },
};
const placed: OrderEvent = {
  type: 'OrderPlaced',
  data: {
    orderId,
    customerId: 'ada',
    lines: [
      { sku: 'tea', quantity: 2, unitPriceCents: 450 },
      { sku: 'mug', quantity: 1, unitPriceCents: 1200 },
    ],
    totalCents: 2100,
  },
};
const confirmed: OrderEvent = { type: 'OrderConfirmed', data: { orderId } };

describe('the order decider', () => {
  it('given no events, when a customer adds an item, then the cart opens for that customer', () => {
    spec
      .given([])
      .when(AddItem.create({ orderId, sku: 'tea', quantity: 2, unitPriceCents: 450 }), ada)
      .then([teaAdded]);
  });

  it('given no signed-in customer, when an item is added, then it is refused', () => {
    spec
      .given([])
      .when(AddItem.create({ orderId, sku: 'tea', quantity: 2, unitPriceCents: 450 }))
      .then((error) => error instanceof DomainError && error.rule === 'CUSTOMER_REQUIRED');
  });

  it("given ada's cart, when bob adds an item, then it is not found (no leak)", () => {
    spec
      .given([teaAdded])
      .when(AddItem.create({ orderId, sku: 'x', quantity: 1, unitPriceCents: 1 }), bob)
      .then(NotFoundError);
  });

  it("given ada's cart, when bob places it, then it is not found (no leak)", () => {
    spec.given([teaAdded]).when(PlaceOrder.create({ orderId }), bob).then(NotFoundError);
  });

  it("given ada's placed order, when staff confirm it, then it is confirmed", () => {
    spec.given([teaAdded, placed]).when(ConfirmOrder.create({ orderId }), staff).then([confirmed]);
  });

  it('given no order, when it is placed, then it is not found', () => {
    spec.given([]).when(PlaceOrder.create({ orderId }), ada).then(NotFoundError);
  });

  it('given two products in the cart, when the order is placed, then lines and total are computed', () => {
    // #region place-order-spec
    // Given ada's cart with two products, when ada places it, then one OrderPlaced.
    spec.given([teaAdded, mugAdded]).when(PlaceOrder.create({ orderId }), ada).then([placed]);
    // #endregion place-order-spec
  });

  it('given an empty cart after removals, when the order is placed, then it is refused', () => {
    spec
      .given([
        teaAdded,
        { type: 'ItemRemoved', data: { orderId, sku: 'tea', quantity: 2, unitPriceCents: 450 } },
      ])
      .when(PlaceOrder.create({ orderId }), ada)
      .then((error) => error instanceof DomainError && error.rule === 'EMPTY_CART');
  });

  it('given a cart, when more is removed than it holds, then it is refused', () => {
    spec
      .given([teaAdded])
      .when(RemoveItem.create({ orderId, sku: 'tea', quantity: 3 }), ada)
      .then((error) => error instanceof DomainError && error.rule === 'NOT_IN_CART');
  });

  it('given a placed order, when it is shipped before confirmation, then it is refused', () => {
    spec
      .given([teaAdded, placed])
      .when(ShipOrder.create({ orderId, trackingNumber: 'T' }), staff)
      .then(DomainError);
  });

  it('given a confirmed order, when it is shipped, then it is shipped', () => {
    spec
      .given([teaAdded, placed, confirmed])
      .when(ShipOrder.create({ orderId, trackingNumber: 'T' }), staff)
      .then([{ type: 'OrderShipped', data: { orderId, trackingNumber: 'T' } }]);
  });

  it('given a confirmed order, when it is cancelled, then it is cancelled', () => {
    spec
      .given([teaAdded, placed, confirmed])
      .when(CancelOrder.create({ orderId, reason: 'changed my mind' }), ada)
      .thenState({
        status: 'cancelled',
        customerId: 'ada',
        lines: { tea: { quantity: 2, unitPriceCents: 450 } },
      });
  });

  it('given a placed order, when it is confirmed twice, then the second is refused', () => {
    spec
      .given([teaAdded, placed, confirmed])
      .when(ConfirmOrder.create({ orderId }), staff)
      .then(DomainError);
  });
});
