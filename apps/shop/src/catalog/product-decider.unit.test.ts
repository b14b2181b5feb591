import { AuthorizationError, DomainError, NotFoundError } from '@duet/core';
import { deciderSpec } from '@duet/core/testing';
import { describe, it } from 'vitest';
import { SYSTEM_CONTEXT } from './catalog-access.ts';
import {
  AddProduct,
  ChangePrice,
  DiscontinueProduct,
  ReceiveStock,
  ReleaseStock,
  RenameProduct,
  ReserveStock,
  ShipStock,
} from './product-commands.ts';
import { productDecider } from './product-decider.ts';
import type { ProductEvent } from './product-events.ts';

const spec = deciderSpec(productDecider);
const staff = { actor: 'sam', roles: ['staff'] };
const ada = { actor: 'ada', roles: ['customer'] };
const system = SYSTEM_CONTEXT;
const sku = 'tea';
const added: ProductEvent = {
  type: 'ProductAdded',
  data: { sku, name: 'Green tea', priceCents: 450 },
};
const received = (quantity: number): ProductEvent => ({
  type: 'StockReceived',
  data: { sku, quantity },
});
const reserved = (orderId: string, quantity: number): ProductEvent => ({
  type: 'StockReserved',
  data: { sku, orderId, quantity },
});
const rule = (name: string) => (error: unknown) =>
  error instanceof DomainError && error.rule === name;

describe('the product decider: the catalog', () => {
  it('given no product, when staff add it, then it is added at its price', () => {
    spec
      .given([])
      .when(AddProduct.create({ sku, name: 'Green tea', priceCents: 450 }), staff)
      .then([added]);
  });

  it('given a product, when it is added again, then it is refused', () => {
    spec
      .given([added])
      .when(AddProduct.create({ sku, name: 'Other', priceCents: 1 }), staff)
      .then(rule('PRODUCT_EXISTS'));
  });

  it.each([
    ['a customer', ada],
    ['the system', system],
    ['nobody', { roles: [] }],
  ])('given a product, when %s changes its price, then it is forbidden', (_, context) => {
    spec
      .given([added])
      .when(ChangePrice.create({ sku, priceCents: 1 }), context)
      .then(AuthorizationError);
  });

  it('given no product, when a customer adds one, then it is forbidden', () => {
    spec
      .given([])
      .when(AddProduct.create({ sku, name: 'Tea', priceCents: 1 }), ada)
      .then(AuthorizationError);
  });

  it('given a product, when staff change its price, then the change and the old price are recorded', () => {
    spec
      .given([added])
      .when(ChangePrice.create({ sku, priceCents: 500 }), staff)
      .then([{ type: 'PriceChanged', data: { sku, priceCents: 500, previousPriceCents: 450 } }]);
  });

  it('given a product, when its price is set to what it is, then nothing happens', () => {
    spec
      .given([added])
      .when(ChangePrice.create({ sku, priceCents: 450 }), staff)
      .then([]);
  });

  it('given no product, when its price changes, then it is not found', () => {
    spec
      .given([])
      .when(ChangePrice.create({ sku, priceCents: 1 }), staff)
      .then(NotFoundError);
  });

  it('given a product, when staff rename it, then it has the new name', () => {
    spec
      .given([added])
      .when(RenameProduct.create({ sku, name: 'Sencha' }), staff)
      .then([{ type: 'ProductRenamed', data: { sku, name: 'Sencha' } }]);
  });

  it('given a discontinued product, when it is repriced or restocked, then it is refused', () => {
    const discontinued: ProductEvent = { type: 'ProductDiscontinued', data: { sku } };
    spec
      .given([added, discontinued])
      .when(ChangePrice.create({ sku, priceCents: 1 }), staff)
      .then(rule('PRODUCT_DISCONTINUED'));
    spec
      .given([added, discontinued])
      .when(ReceiveStock.create({ sku, quantity: 1 }), staff)
      .then(rule('PRODUCT_DISCONTINUED'));
    spec.given([added, discontinued]).when(DiscontinueProduct.create({ sku }), staff).then([]);
  });
});

describe('the product decider: stock', () => {
  it('given a product, when staff receive stock, then it is on hand', () => {
    spec
      .given([added])
      .when(ReceiveStock.create({ sku, quantity: 5 }), staff)
      .thenState({
        status: 'active',
        name: 'Green tea',
        priceCents: 450,
        onHand: 5,
        reserved: 0,
        reservations: {},
      });
  });

  it('given 3 on hand and 1 reserved, when 2 are reserved, then they are', () => {
    spec
      .given([added, received(3), reserved('o-1', 1)])
      .when(ReserveStock.create({ sku, orderId: 'o-2', quantity: 2 }), system)
      .then([reserved('o-2', 2)]);
  });

  it('given 3 on hand and 1 reserved, when 3 are reserved, then it is out of stock', () => {
    spec
      .given([added, received(3), reserved('o-1', 1)])
      .when(ReserveStock.create({ sku, orderId: 'o-2', quantity: 3 }), system)
      .then(
        new DomainError('OUT_OF_STOCK', 'tea: 3 requested, 2 available', {
          sku,
          requested: 3,
          available: 2,
        }),
      );
  });

  it('given stock, when staff or a customer reserve it by hand, then it is forbidden', () => {
    const reserve = ReserveStock.create({ sku, orderId: 'o-1', quantity: 1 });
    spec
      .given([added, received(1)])
      .when(reserve, staff)
      .then(AuthorizationError);
    spec
      .given([added, received(1)])
      .when(reserve, ada)
      .then(AuthorizationError);
  });

  it('given a reservation, when the same order reserves the same again, then nothing happens', () => {
    spec
      .given([added, received(3), reserved('o-1', 2)])
      .when(ReserveStock.create({ sku, orderId: 'o-1', quantity: 2 }), system)
      .then([]);
  });

  it('given a reservation, when the same order asks for another quantity, then it is refused', () => {
    spec
      .given([added, received(3), reserved('o-1', 2)])
      .when(ReserveStock.create({ sku, orderId: 'o-1', quantity: 1 }), system)
      .then(rule('RESERVATION_MISMATCH'));
  });

  it('given an order id named like an Object member, when it is reserved, then it is a new reservation', () => {
    spec
      .given([added, received(1)])
      .when(ReserveStock.create({ sku, orderId: 'constructor', quantity: 1 }), system)
      .then([reserved('constructor', 1)]);
  });

  it('given a reservation, when it is released, then its units are released and available', () => {
    spec
      .given([added, received(3), reserved('o-1', 2)])
      .when(ReleaseStock.create({ sku, orderId: 'o-1' }), system)
      .then([{ type: 'StockReleased', data: { sku, orderId: 'o-1', quantity: 2 } }]);
  });

  it('given no reservation, when an order releases, then nothing happens', () => {
    spec
      .given([added])
      .when(ReleaseStock.create({ sku, orderId: 'o-9' }), system)
      .then([]);
  });

  it('given a reservation, when it ships, then reserved and on hand both drop', () => {
    spec
      .given([added, received(3), reserved('o-1', 2)])
      .when(ShipStock.create({ sku, orderId: 'o-1' }), system)
      .thenState({
        status: 'active',
        name: 'Green tea',
        priceCents: 450,
        onHand: 1,
        reserved: 0,
        reservations: {},
      });
  });

  it('given a shipped reservation, when it ships again, then nothing happens', () => {
    const shipped: ProductEvent = {
      type: 'StockShipped',
      data: { sku, orderId: 'o-1', quantity: 2 },
    };
    spec
      .given([added, received(3), reserved('o-1', 2), shipped])
      .when(ShipStock.create({ sku, orderId: 'o-1' }), system)
      .then([]);
  });

  it('given a discontinued product with stock, when it is reserved, then it is refused', () => {
    spec
      .given([added, received(3), { type: 'ProductDiscontinued', data: { sku } }])
      .when(ReserveStock.create({ sku, orderId: 'o-1', quantity: 1 }), system)
      .then(rule('PRODUCT_DISCONTINUED'));
  });
});
