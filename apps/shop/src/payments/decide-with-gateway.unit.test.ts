import { DomainError, foldEvents, NotFoundError } from '@duet/core';
import { describe, expect, it } from 'vitest';
import { authorizeWithGateway } from './authorize-with-gateway.ts';
import { decideWithGateway } from './decide-with-gateway.ts';
import {
  AuthorizePayment,
  CapturePayment,
  RefundPayment,
  VoidPayment,
} from './payment-commands.ts';
import { paymentDecider } from './payment-decider.ts';
import type { PaymentEvent } from './payment-events.ts';
import type { PaymentGateway, SettlementResult } from './payment-gateway.ts';

const orderId = 'o-1';
const authorize = AuthorizePayment.create({ orderId, customerId: 'ada', amountCents: 2100 });

// A gateway that records every call and answers as told.
function fakeGateway(settlement: SettlementResult = { status: 'approved' }) {
  const calls: { operation: string; request: object }[] = [];
  const settle = (operation: string) => async (request: object) => {
    calls.push({ operation, request });
    return settlement;
  };
  const gateway: PaymentGateway = {
    authorize: async (request) => {
      calls.push({ operation: 'authorize', request });
      return { status: 'approved', authorizationCode: 'AUTH-1' };
    },
    capture: settle('capture'),
    void: settle('void'),
    refund: settle('refund'),
  };
  return { gateway, calls };
}

const stateOf = (events: readonly PaymentEvent[]) => foldEvents(paymentDecider, events);

describe('authorizing with the gateway', () => {
  it('given no payment, when authorized, then the gateway is asked with the order id as key', async () => {
    const { gateway, calls } = fakeGateway();
    const events = await authorizeWithGateway(authorize, stateOf([]), gateway);
    expect(calls).toEqual([
      { operation: 'authorize', request: { orderId, amountCents: 2100, idempotencyKey: orderId } },
    ]);
    expect(events).toEqual([
      {
        type: 'PaymentAuthorized',
        data: {
          orderId,
          paymentId: 'payment-o-1',
          customerId: 'ada',
          amountCents: 2100,
          authorizationCode: 'AUTH-1',
        },
      },
    ]);
  });

  it('given a declined answer, when authorized, then PaymentDeclined is returned, not thrown', async () => {
    const { gateway } = fakeGateway();
    const declining: PaymentGateway = {
      ...gateway,
      authorize: async () => ({ status: 'declined', reason: 'card expired' }),
    };
    const events = await authorizeWithGateway(authorize, stateOf([]), declining);
    expect(events.map((e) => e.type)).toEqual(['PaymentDeclined']);
  });

  it('given an authorized payment, when the request is retried, then no event and no gateway call', async () => {
    const { gateway, calls } = fakeGateway();
    const first = await authorizeWithGateway(authorize, stateOf([]), gateway);
    const again = await authorizeWithGateway(authorize, stateOf(first), gateway);
    expect(again).toEqual([]);
    expect(calls).toHaveLength(1);
  });

  it('given a customer as caller, when authorizing, then it is refused before the gateway is called', async () => {
    const { gateway, calls } = fakeGateway();
    const customer = { actor: 'ada', roles: ['customer'] };
    await expect(authorizeWithGateway(authorize, stateOf([]), gateway, customer)).rejects.toThrow(
      NotFoundError,
    );
    expect(calls).toEqual([]);
  });
});

describe('settling with the gateway', () => {
  const authorized = async () => {
    const { gateway } = fakeGateway();
    return authorizeWithGateway(authorize, stateOf([]), gateway);
  };

  it('given an authorized payment, when captured, then the gateway captures with the code and a capture key', async () => {
    const { gateway, calls } = fakeGateway();
    const events = await decideWithGateway(
      CapturePayment.create({ orderId }),
      stateOf(await authorized()),
      gateway,
    );
    expect(events.map((e) => e.type)).toEqual(['PaymentCaptured']);
    expect(calls).toEqual([
      {
        operation: 'capture',
        request: {
          orderId,
          authorizationCode: 'AUTH-1',
          amountCents: 2100,
          idempotencyKey: 'o-1:capture',
        },
      },
    ]);
  });

  it('given a captured payment, when captured again, then no event and no gateway call', async () => {
    const { gateway, calls } = fakeGateway();
    const history = await authorized();
    history.push(
      ...(await decideWithGateway(CapturePayment.create({ orderId }), stateOf(history), gateway)),
    );
    expect(
      await decideWithGateway(CapturePayment.create({ orderId }), stateOf(history), gateway),
    ).toEqual([]);
    expect(calls).toHaveLength(1);
  });

  it('given no payment, when the system voids, then no event and no gateway call', async () => {
    const { gateway, calls } = fakeGateway();
    const events = await decideWithGateway(
      VoidPayment.create({ orderId, reason: 'x' }),
      stateOf([]),
      gateway,
    );
    expect(events).toEqual([]);
    expect(calls).toEqual([]);
  });

  it('given part refunds, when refunded again, then each refund has its own key', async () => {
    const { gateway, calls } = fakeGateway();
    const history = await authorized();
    const refund = RefundPayment.create({ orderId, reason: 'damaged', amountCents: 100 });
    for (const command of [CapturePayment.create({ orderId }), refund, refund]) {
      history.push(...(await decideWithGateway(command, stateOf(history), gateway)));
    }
    expect(calls.map((c) => (c.request as { idempotencyKey: string }).idempotencyKey)).toEqual([
      'o-1:capture',
      'o-1:refund:0',
      'o-1:refund:100',
    ]);
  });

  it('given the gateway declines a void, when voided, then a GATEWAY_DECLINED error is thrown', async () => {
    const { gateway } = fakeGateway({ status: 'declined', reason: 'unknown authorization' });
    await expect(
      decideWithGateway(
        VoidPayment.create({ orderId, reason: 'x' }),
        stateOf(await authorized()),
        gateway,
      ),
    ).rejects.toSatisfy(
      (error) => error instanceof DomainError && error.rule === 'GATEWAY_DECLINED',
    );
  });
});
