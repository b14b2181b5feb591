import { DomainError } from '@duet/core';
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
  it('given no events, when an item is added, then the cart opens with it', () => {
    spec
      .given([])
      .when(
        AddItem.create({
          orderId,
          customerId: 'ada',
          sku: 'tea',
          quantity: 2,
          unitPriceCents: 450,
        }),
      )
      .then([teaAdded]);
  });

  it('given a cart of another customer, when someone else adds an item, then it is refused', () => {
    spec
      .given([teaAdded])
      .when(
        AddItem.create({ orderId, customerId: 'bob', sku: 'x', quantity: 1, unitPriceCents: 1 }),
      )
      .then((error) => error instanceof DomainError && error.rule === 'ORDER_OWNER');
  });

  it('given two products in the cart, when the order is placed, then lines and total are computed', () => {
    spec.given([teaAdded, mugAdded]).when(PlaceOrder.create({ orderId })).then([placed]);
  });

  it('given an empty cart after removals, when the order is placed, then it is refused', () => {
    spec
      .given([teaAdded, { type: 'ItemRemoved', data: { orderId, sku: 'tea', quantity: 2 } }])
      .when(PlaceOrder.create({ orderId }))
      .then((error) => error instanceof DomainError && error.rule === 'EMPTY_CART');
  });

  it('given a cart, when more is removed than it holds, then it is refused', () => {
    spec
      .given([teaAdded])
      .when(RemoveItem.create({ orderId, sku: 'tea', quantity: 3 }))
      .then((error) => error instanceof DomainError && error.rule === 'NOT_IN_CART');
  });

  it('given a placed order, when it is shipped before confirmation, then it is refused', () => {
    spec
      .given([teaAdded, placed])
      .when(ShipOrder.create({ orderId, trackingNumber: 'T' }))
      .then(DomainError);
  });

  it('given a confirmed order, when it is shipped, then it is shipped', () => {
    spec
      .given([teaAdded, placed, confirmed])
      .when(ShipOrder.create({ orderId, trackingNumber: 'T' }))
      .then([{ type: 'OrderShipped', data: { orderId, trackingNumber: 'T' } }]);
  });

  it('given a confirmed order, when it is cancelled, then it is cancelled', () => {
    spec
      .given([teaAdded, placed, confirmed])
      .when(CancelOrder.create({ orderId, reason: 'changed my mind' }))
      .thenState({
        status: 'cancelled',
        customerId: 'ada',
        lines: { tea: { quantity: 2, unitPriceCents: 450 } },
      });
  });

  it('given a placed order, when it is confirmed twice, then the second is refused', () => {
    spec
      .given([teaAdded, placed, confirmed])
      .when(ConfirmOrder.create({ orderId }))
      .then(DomainError);
  });
});
