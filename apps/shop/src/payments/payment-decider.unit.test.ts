import { DomainError, NotFoundError } from '@duet/core';
import { deciderSpec } from '@duet/core/testing';
import { describe, it } from 'vitest';
import {
  AuthorizePayment,
  CapturePayment,
  RefundPayment,
  VoidPayment,
} from './payment-commands.ts';
import { paymentDecider, paymentsSystemContext } from './payment-decider.ts';
import type { PaymentEvent } from './payment-events.ts';

const spec = deciderSpec(paymentDecider);
const system = paymentsSystemContext;
const staff = { actor: 'sam', roles: ['staff'] };
const ada = { actor: 'ada', roles: ['customer'] };
const orderId = 'o-1';
const paymentId = 'payment-o-1';
const approved = { status: 'approved', authorizationCode: 'SIM-1-AAAA' } as const;
const authorize = AuthorizePayment.create({
  orderId,
  customerId: 'ada',
  amountCents: 2100,
  gatewayResult: approved,
});
const authorized: PaymentEvent = {
  type: 'PaymentAuthorized',
  data: {
    orderId,
    paymentId,
    customerId: 'ada',
    amountCents: 2100,
    authorizationCode: 'SIM-1-AAAA',
  },
};
const declined: PaymentEvent = {
  type: 'PaymentDeclined',
  data: { orderId, paymentId, customerId: 'ada', amountCents: 2100, reason: 'card expired' },
};
const captured: PaymentEvent = {
  type: 'PaymentCaptured',
  data: { orderId, paymentId, amountCents: 2100 },
};
const voided: PaymentEvent = {
  type: 'PaymentVoided',
  data: { orderId, paymentId, reason: 'no stock' },
};
const refunded = (amountCents: number): PaymentEvent => ({
  type: 'PaymentRefunded',
  data: { orderId, paymentId, amountCents, reason: 'damaged' },
});
const rule = (name: string) => (error: unknown) =>
  error instanceof DomainError && error.rule === name;

describe('the payment decider: authorization', () => {
  it('given no payment, when the gateway approved, then the payment is authorized with its code', () => {
    spec.given([]).when(authorize, system).then([authorized]);
  });

  it('given no payment, when the gateway declined, then a PaymentDeclined event answers (no error)', () => {
    const command = AuthorizePayment.create({
      orderId,
      customerId: 'ada',
      amountCents: 2100,
      gatewayResult: { status: 'declined', reason: 'card expired' },
    });
    spec.given([]).when(command, system).then([declined]);
  });

  it('given no payment, when authorization comes without the gateway answer, then it is refused', () => {
    const { gatewayResult: _, ...request } = authorize.data;
    spec
      .given([])
      .when(AuthorizePayment.create(request), system)
      .then(rule('GATEWAY_RESULT_REQUIRED'));
  });

  it('given an authorized payment, when the same authorization comes again, then nothing happens', () => {
    spec.given([authorized]).when(authorize, system).then([]);
  });

  it('given a declined payment, when the same authorization comes again, then nothing happens', () => {
    spec.given([declined]).when(authorize, system).then([]);
  });

  it('given an authorized payment, when another amount is asked for the order, then it is refused', () => {
    const other = AuthorizePayment.create({ ...authorize.data, amountCents: 99 });
    spec.given([authorized]).when(other, system).then(rule('AUTHORIZATION_MISMATCH'));
  });
});

describe('the payment decider: capture and void', () => {
  it('given an authorized payment, when it is captured, then the authorized amount is taken', () => {
    spec.given([authorized]).when(CapturePayment.create({ orderId }), system).then([captured]);
  });

  it('given a captured payment, when it is captured again, then nothing happens', () => {
    spec.given([authorized, captured]).when(CapturePayment.create({ orderId }), system).then([]);
  });

  it('given a declined payment, when it is captured, then it is refused', () => {
    spec
      .given([declined])
      .when(CapturePayment.create({ orderId }), system)
      .then(rule('PAYMENT_STATUS'));
  });

  it('given no payment, when it is captured, then it is not found', () => {
    spec.given([]).when(CapturePayment.create({ orderId }), system).then(NotFoundError);
  });

  it('given an authorized payment, when it is voided, then it is voided', () => {
    spec
      .given([authorized])
      .when(VoidPayment.create({ orderId, reason: 'no stock' }), system)
      .then([voided]);
  });

  it('given a voided payment, when it is voided again, then nothing happens', () => {
    spec
      .given([authorized, voided])
      .when(VoidPayment.create({ orderId, reason: 'x' }), system)
      .then([]);
  });

  it('given no payment, when the system voids it, then nothing happens (nothing to release)', () => {
    spec
      .given([])
      .when(VoidPayment.create({ orderId, reason: 'no stock' }), system)
      .then([]);
  });

  it('given a declined payment, when it is voided, then nothing happens', () => {
    spec
      .given([declined])
      .when(VoidPayment.create({ orderId, reason: 'x' }), system)
      .then([]);
  });

  it('given a captured payment, when it is voided, then it is refused (refund it instead)', () => {
    spec
      .given([authorized, captured])
      .when(VoidPayment.create({ orderId, reason: 'x' }), system)
      .then(rule('PAYMENT_STATUS'));
  });
});

describe('the payment decider: refunds', () => {
  it('given a captured payment, when a part is refunded, then that part goes back', () => {
    spec
      .given([authorized, captured])
      .when(RefundPayment.create({ orderId, reason: 'damaged', amountCents: 450 }), staff)
      .then([refunded(450)]);
  });

  it('given a captured payment, when a refund names no amount, then all of it goes back', () => {
    spec
      .given([authorized, captured])
      .when(RefundPayment.create({ orderId, reason: 'damaged' }), system)
      .then([refunded(2100)]);
  });

  it('given a part refunded, when a refund names no amount, then the rest goes back', () => {
    spec
      .given([authorized, captured, refunded(450)])
      .when(RefundPayment.create({ orderId, reason: 'damaged' }), system)
      .then([refunded(1650)]);
  });

  it('given everything refunded, when a full refund is asked again, then nothing happens', () => {
    spec
      .given([authorized, captured, refunded(2100)])
      .when(RefundPayment.create({ orderId, reason: 'damaged' }), system)
      .then([]);
  });

  it('given a captured payment, when more than was captured is refunded, then it is refused', () => {
    spec
      .given([authorized, captured])
      .when(RefundPayment.create({ orderId, reason: 'damaged', amountCents: 2101 }), staff)
      .then(
        new DomainError('REFUND_EXCEEDS_CAPTURE', 'only 2100 cents can still be refunded', {
          remainingCents: 2100,
          requestedCents: 2101,
        }),
      );
  });

  it('given a part refunded, when more than the rest is refunded, then it is refused', () => {
    spec
      .given([authorized, captured, refunded(2000)])
      .when(RefundPayment.create({ orderId, reason: 'damaged', amountCents: 101 }), staff)
      .then(rule('REFUND_EXCEEDS_CAPTURE'));
  });

  it('given an authorized payment, when it is refunded, then it is refused (void it instead)', () => {
    spec
      .given([authorized])
      .when(RefundPayment.create({ orderId, reason: 'damaged' }), staff)
      .then(rule('PAYMENT_STATUS'));
  });

  it('given two part refunds, then the state counts both', () => {
    spec
      .given([authorized, captured, refunded(100)])
      .when(RefundPayment.create({ orderId, reason: 'damaged', amountCents: 200 }), staff)
      .thenState({
        status: 'refunded',
        customerId: 'ada',
        amountCents: 2100,
        authorizationCode: 'SIM-1-AAAA',
        capturedCents: 2100,
        refundedCents: 300,
      });
  });
});

describe('the payment decider: who may ask', () => {
  it('given an authorized payment, when its customer voids it, then it is not found (no leak)', () => {
    spec
      .given([authorized])
      .when(VoidPayment.create({ orderId, reason: 'x' }), ada)
      .then(NotFoundError);
  });

  it('given an authorized payment, when staff capture it, then it is not found (system only)', () => {
    spec.given([authorized]).when(CapturePayment.create({ orderId }), staff).then(NotFoundError);
  });

  it('given no payment, when staff authorize one, then it is not found', () => {
    spec.given([]).when(authorize, staff).then(NotFoundError);
  });

  it('given no payment, when staff void it, then it is not found (unknown id)', () => {
    spec
      .given([])
      .when(VoidPayment.create({ orderId, reason: 'x' }), staff)
      .then(NotFoundError);
  });

  it('given an authorized payment, when staff void it, then it is voided', () => {
    spec
      .given([authorized])
      .when(VoidPayment.create({ orderId, reason: 'no stock' }), staff)
      .then([voided]);
  });
});
